package io.sightline.history.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sightline.common.kafka.Topics;
import io.sightline.history.support.EmbeddedPostgresResource;
import io.sightline.history.support.Records;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Watch-job state from the compacted watch.jobs topic, stored idempotently, served paged, fired jobs on the timeline. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(EmbeddedPostgresResource.class)
class WatchJobIngestTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void aJobsTransitionsAreStoredOnceThroughReplaysAndItsTombstoneKeepsThePast() throws Exception {
        String camera = "watch-" + UUID.randomUUID().toString().substring(0, 8);
        String id = UUID.randomUUID().toString();
        String frame = UUID.randomUUID().toString();
        long created = System.currentTimeMillis() - 120_000;
        long ended = created + 90_000;
        Map<String, Object> running = job(id, camera, "running", created, null, 0, null, created);
        Map<String, Object> progress = job(id, camera, "running", created, null, 3, "No parcel on the mat yet.", created + 30_000);
        Map<String, Object> met = job(id, camera, "success", created, ended, 4, "A parcel lies on the mat.", ended);
        met.put("notification_message", "A parcel was delivered to the porch.");
        met.put("history", List.of(Map.of("frame_id", frame, "captured_at", ended - 500, "question", "Frame captured at ...",
                "answer", "{\"met\":true}")));
        send(id, running);
        send(id, progress);
        send(id, met);
        await().atMost(WAIT).until(() -> "success".equals(jobs(camera).getString("watch_jobs[0].status")));

        // duplicates and a late replay of an older state (a re-read of the topic before compaction) change nothing
        send(id, met);
        send(id, running);
        send(id, progress);
        // then watch-service forgets the finished job: a tombstone
        long removedAt = TestKafka.send(Topics.WATCH_JOBS, id, null, new RecordHeaders()).timestamp();
        await().atMost(WAIT).until(() -> jobs(camera).getBoolean("watch_jobs[0].removed"));

        JsonPath page = jobs(camera);
        assertThat(page.getInt("count")).isEqualTo(1);
        assertThat(page.getString("watch_jobs[0].job_id")).isEqualTo(id);
        assertThat(page.getString("watch_jobs[0].status")).isEqualTo("success");
        assertThat(page.getString("watch_jobs[0].condition")).isEqualTo("a parcel is delivered");
        assertThat(page.getInt("watch_jobs[0].iterations")).isEqualTo(4);
        assertThat(page.getString("watch_jobs[0].last_reasoning")).isEqualTo("A parcel lies on the mat.");
        assertThat(page.getString("watch_jobs[0].outcome")).isEqualTo("A parcel was delivered to the porch.");
        assertThat(page.getString("watch_jobs[0].last_frame_id")).isEqualTo(frame);
        assertThat(page.getLong("watch_jobs[0].removed_at")).isEqualTo(removedAt);
        assertThat(page.getList("watch_jobs[0].transitions.status")).containsExactly("running", "success", "removed");
        assertThat(page.getList("watch_jobs[0].transitions.at", Long.class)).containsExactly(created, ended, removedAt);

        // the job that fired is one event of kind watch on the camera's timeline, spanning the time it watched
        JsonPath events = given().queryParam("camera", camera).get("/api/v1/history/events").then().statusCode(200).extract().jsonPath();
        assertThat(events.getList("events.kind")).containsExactly("watch");
        assertThat(events.getLong("events[0].start_at")).isEqualTo(created);
        assertThat(events.getLong("events[0].end_at")).isEqualTo(ended);
        assertThat(events.getString("events[0].text")).isEqualTo("A parcel was delivered to the porch.");
        assertThat(events.getString("events[0].peak_frame_id")).isEqualTo(frame);
    }

    @Test
    void onlyTheNewestStateCountsAndAFinishedStatusIsFinalEvenFromTheCompactedLastRecord() throws Exception {
        String camera = "watch-" + UUID.randomUUID().toString().substring(0, 8);
        String compacted = UUID.randomUUID().toString();
        String raced = UUID.randomUUID().toString();
        long t = System.currentTimeMillis() - 600_000;
        // a job history first meets after compaction: only its last record is left, and it still yields both transitions
        Map<String, Object> failed = job(compacted, camera, "failed", t, t + 60_000, 12, "Still nothing.", t + 60_000);
        failed.put("error", "Monitor timed out after 1 minutes");
        send(compacted, failed);
        // a cancel from another replica, then the owner's progress write that raced it: the cancel stays
        send(raced, job(raced, camera, "cancelled", t + 1000, t + 5000, 1, null, t + 5000));
        send(raced, job(raced, camera, "running", t + 1000, null, 2, "late progress", t + 6000));
        // a third, still running, for paging
        String live = UUID.randomUUID().toString();
        send(live, job(live, camera, "running", t + 2000, null, 1, "looking", t + 2000));
        await().atMost(WAIT).until(() -> jobs(camera).getInt("count") == 3);

        JsonPath first = given().queryParam("camera", camera).queryParam("limit", 2).get("/api/v1/history/watch-jobs")
                .then().statusCode(200).extract().jsonPath();
        assertThat(first.getList("watch_jobs.job_id")).containsExactly(live, raced);
        assertThat(first.getString("watch_jobs[1].status")).isEqualTo("cancelled");
        assertThat(first.getInt("watch_jobs[1].iterations")).isEqualTo(1);
        assertThat(first.getString("next_cursor")).isNotBlank();
        JsonPath second = given().queryParam("camera", camera).queryParam("limit", 2).queryParam("cursor", first.getString("next_cursor"))
                .get("/api/v1/history/watch-jobs").then().statusCode(200).extract().jsonPath();
        assertThat(second.getList("watch_jobs.job_id")).containsExactly(compacted);
        assertThat(second.getString("watch_jobs[0].outcome")).isEqualTo("Monitor timed out after 1 minutes");
        assertThat(second.getList("watch_jobs[0].transitions.status")).containsExactly("running", "failed");
        assertThat(second.getString("next_cursor")).isNull();

        // since/until: a range after the finished jobs ended lists only the running one
        JsonPath later = given().queryParam("camera", camera).queryParam("since", t + 100_000).get("/api/v1/history/watch-jobs")
                .then().statusCode(200).extract().jsonPath();
        assertThat(later.getList("watch_jobs.job_id")).containsExactly(live);
        // no event for jobs that did not fire
        assertThat(given().queryParam("camera", camera).get("/api/v1/history/events").then().statusCode(200).extract()
                .jsonPath().getList("events")).isEmpty();

        given().queryParam("camera", "never-seen-camera").get("/api/v1/history/watch-jobs").then().statusCode(404);
        given().queryParam("camera", camera).queryParam("cursor", "nonsense").get("/api/v1/history/watch-jobs").then().statusCode(400);
        given().queryParam("camera", camera).queryParam("limit", 0).get("/api/v1/history/watch-jobs").then().statusCode(400);
    }

    @Test
    void poisonWatchJobRecordsGoToTheDeadLetterTopicWithTheReason() throws Exception {
        String camera = "watch-" + UUID.randomUUID().toString().substring(0, 8);
        String a = "poison-" + UUID.randomUUID();
        String b = "poison-" + UUID.randomUUID();
        String c = "poison-" + UUID.randomUUID();
        try (TopicReader dlq = TopicReader.fromNow(Topics.HISTORY_DLQ)) {
            TestKafka.send(Topics.WATCH_JOBS, a, "{not json".getBytes(StandardCharsets.UTF_8), new RecordHeaders());
            send(b, job("someone-else", camera, "running", System.currentTimeMillis(), null, 0, null, System.currentTimeMillis()));
            send(c, job(c, camera, "exploded", System.currentTimeMillis(), null, 0, null, System.currentTimeMillis()));
            String good = UUID.randomUUID().toString();
            send(good, job(good, camera, "running", System.currentTimeMillis(), null, 0, null, System.currentTimeMillis()));

            List<ConsumerRecord<String, byte[]>> dead = dlq.await(r -> List.of(a, b, c).contains(r.key()), 3, WAIT);
            assertThat(dead).allSatisfy(r -> assertThat(TopicReader.header(r, "dead-letter-topic")).isEqualTo(Topics.WATCH_JOBS));
            assertThat(dead).extracting(r -> TopicReader.header(r, "dead-letter-reason")).anySatisfy(
                    reason -> assertThat(reason).contains("not a JSON WatchJobState"));
            assertThat(dead).extracting(r -> TopicReader.header(r, "dead-letter-reason")).anySatisfy(
                    reason -> assertThat(reason).contains("differs from the record key"));
            assertThat(dead).extracting(r -> TopicReader.header(r, "dead-letter-reason")).anySatisfy(
                    reason -> assertThat(reason).contains("status must be one of"));
            await().atMost(WAIT).until(() -> jobs(camera).getInt("count") == 1);
        }
    }

    private static JsonPath jobs(String camera) {
        var r = given().queryParam("camera", camera).get("/api/v1/history/watch-jobs");
        return r.statusCode() == 200 ? r.jsonPath() : new JsonPath("{\"count\":0,\"watch_jobs\":[]}");
    }

    /** A watch.jobs value as watch-service writes it (WatchJob, schema 2, snake_case). */
    private static Map<String, Object> job(String id, String camera, String status, long created, Long ended, int iterations,
                                           String reasoning, long updated) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", 2);
        m.put("id", id);
        m.put("camera", camera);
        m.put("condition", "a parcel is delivered");
        m.put("labels", List.of());
        m.put("zones", List.of());
        m.put("max_duration_minutes", 10);
        m.put("status", status);
        m.put("created_at", created);
        m.put("expires_at", created + 600_000);
        m.put("ended_at", ended);
        m.put("iterations", iterations);
        m.put("last_reasoning", reasoning);
        m.put("last_outcome", reasoning == null ? null : "Condition not met");
        m.put("last_wake_reason", "scheduled");
        m.put("owner", "running".equals(status) ? "watch-0" : null);
        m.put("channels", List.of());
        m.put("max_vlm_calls", 40);
        m.put("vlm_calls", iterations);
        m.put("downtime_ms", 0);
        m.put("history", List.of());
        m.put("updated_at", updated);
        return m;
    }

    private static void send(String key, Map<String, Object> value) throws Exception {
        TestKafka.send(Topics.WATCH_JOBS, key, JSON.writeValueAsBytes(value), new RecordHeaders());
    }
}
