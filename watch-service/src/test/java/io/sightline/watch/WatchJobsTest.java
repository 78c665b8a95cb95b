package io.sightline.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.kafka.Topics;
import io.sightline.latest.LatestFrames;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.StandInVlmServer.ReceivedRequest;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static io.sightline.watch.ScriptedVlm.verdict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Watch jobs through the running service: frames and detections published to the real broker by a plain
 * producer, the latest-frame cache consuming them, a scripted stand-in VLM, state on watch.jobs.
 * Intervals are shortened in the %test profile (retries 0.3-0.5 s, cooldown 2 s, one "minute" = 2 s).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(ScriptedVlm.class)
class WatchJobsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    LatestFrames frames;

    @Inject
    WatchRunner runner;

    @Inject
    WatchJobLog log;

    @AfterEach
    void cancelRunningJobs() {
        List<String> running = given().get("/api/v1/watch?status=running").then().statusCode(200).extract().jsonPath().getList("id");
        running.forEach(id -> given().delete("/api/v1/watch/" + id));
    }

    @Test
    void conditionMetOnTheThirdFrameRaisesExactlyOneNotificationWithTheModelsMessage() throws Exception {
        String camera = cameraWithFrame(1280, 720);
        String lastFrameId = frames.frame(camera).orElseThrow().frameId().toString();
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token,
                verdict(false, 1, "The porch is empty.", ""),
                verdict(false, 1, "A courier walks up the path.", ""),
                verdict(true, 30, "A parcel lies on the doormat.", "Your package was delivered to the porch"));
        try (TopicReader notifications = TopicReader.fromNow(Topics.NOTIFICATIONS);
             TopicReader refreshes = TopicReader.fromNow(Topics.CAPTION_REFRESH)) {
            String id = create(camera, Map.of("condition", "the package has been delivered to the porch " + token,
                    "channels", List.of("family-phones")));
            // the new job asked caption-service for a fresh description of its camera
            ConsumerRecord<String, byte[]> refresh = refreshes.awaitOne(r -> TopicReader.valueText(r).contains(id), WAIT);
            assertThat(refresh.key()).isEqualTo(camera);
            assertThat(TopicReader.valueText(refresh)).contains("\"requested_by\":\"watch:" + id + "\"");

            JsonPath done = awaitStatus(id, "success");
            assertThat(done.getString("notification_message")).isEqualTo("Your package was delivered to the porch");
            assertThat(done.getString("last_reasoning")).isEqualTo("A parcel lies on the doormat.");
            assertThat(done.getInt("iterations")).isEqualTo(3);
            assertThat(done.getLong("ended_at")).isPositive();

            ConsumerRecord<String, byte[]> record = notifications.awaitOne(r -> TopicReader.valueText(r).contains(id), WAIT);
            JsonNode raised = JSON.readTree(record.value());
            assertThat(record.key()).isEqualTo(camera);
            assertThat(raised.path("job_id").asText()).isEqualTo(id);
            assertThat(raised.path("camera").asText()).isEqualTo(camera);
            assertThat(raised.path("condition").asText()).contains("the package has been delivered");
            assertThat(raised.path("message").asText()).isEqualTo("Your package was delivered to the porch");
            assertThat(raised.path("reasoning").asText()).isEqualTo("A parcel lies on the doormat.");
            assertThat(raised.path("schema").asInt()).isEqualTo(2);
            assertThat(UUID.fromString(raised.path("notification_id").asText())).isNotNull();
            assertThat(raised.path("frame_id").asText()).isEqualTo(lastFrameId);
            assertThat(raised.path("thumbnail_url").asText()).isEqualTo("/api/v1/cameras/" + camera + "/frame.jpg");
            assertThat(raised.path("channels").isArray()).isTrue();
            assertThat(raised.path("channels")).extracting(JsonNode::asText).containsExactly("family-phones");
            assertThat(notifications.drain(Duration.ofMillis(1500)).stream().filter(r -> TopicReader.valueText(r).contains(id)))
                    .as("exactly one notification").hasSize(1);
        }

        assertThat(script.calls()).isEqualTo(3);
        ReceivedRequest third = script.requests.get(2);
        assertThat(third.images()).as("two earlier frame/answer pairs plus this frame").hasSize(3);
        assertThat(third.images()).allSatisfy(image -> {
            assertThat(image.mimeType()).isEqualTo("image/jpeg");
            assertThat(image.height()).isEqualTo(480);
            assertThat(image.width()).isEqualTo(853);
        });
        assertThat(third.text()).containsPattern("Frame captured at \\d\\d:\\d\\d:\\d\\d\\.");
        assertThat(third.text()).contains("Answer with JSON only").contains("next_run_in").contains("The porch is empty.");
    }

    @Test
    void fencedJsonAnswerIsAccepted() {
        String camera = cameraWithFrame(640, 480);
        String token = token();
        ScriptedVlm.script(token, "Here is my verdict:\n```json\n" + verdict(true, 5, "A dog sits at the door.", "") + "\n```\nHope this helps.");

        String id = create(camera, "someone is at the door with a dog " + token);

        JsonPath done = awaitStatus(id, "success");
        assertThat(done.getString("notification_message")).as("reasoning stands in for an empty message").isEqualTo("A dog sits at the door.");
    }

    @Test
    void garbageAnswerIsRetriedAndTheJobRecovers() {
        String camera = cameraWithFrame(640, 480);
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token,
                "I think I can see a cat, maybe.",
                verdict(true, 5, "The cat is on the sofa.", "The cat is on the sofa"));

        String id = create(camera, "the cat is on the sofa " + token);

        JsonPath done = awaitStatus(id, "success");
        assertThat(done.getString("notification_message")).isEqualTo("The cat is on the sofa");
        assertThat(script.calls()).isEqualTo(2);
        assertThat(script.requests.get(1).images()).as("the unusable exchange is not kept in the conversation").hasSize(1);
        assertThat(script.requests.get(1).text()).doesNotContain("maybe");
    }

    @Test
    void emptyAnswerDropsTheDanglingFrameAndRetries() {
        String camera = cameraWithFrame(640, 480);
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token, "", verdict(true, 5, "Lights are on.", "Lights on"));

        String id = create(camera, "the lights are on " + token);

        awaitStatus(id, "success");
        assertThat(script.calls()).isEqualTo(2);
        assertThat(script.requests.get(1).images()).hasSize(1);
    }

    @Test
    void jobPastItsMaximumDurationFailsWithTheTimeoutMessage() {
        String camera = cameraWithFrame(640, 480);
        String token = token();
        ScriptedVlm.script(token, verdict(false, 1, "Still nothing.", ""));

        String id = create(camera, Map.of("condition", "a unicorn appears " + token, "max_duration_minutes", 1));

        JsonPath failed = awaitStatus(id, "failed");
        assertThat(failed.getString("error")).isEqualTo("Monitor timed out after 1 minute");
        assertThat(failed.getInt("iterations")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void cancelWhileWaitingEndsTheJobPromptlyAndItLooksNoMore() {
        String camera = cameraWithFrame(640, 480);
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token, verdict(false, 300, "Nothing yet.", ""));
        try (TopicReader states = TopicReader.fromNow(Topics.WATCH_JOBS)) {
            String id = create(camera, "the garage door opens " + token);
            await().atMost(WAIT).until(() -> job(id).getInt("iterations") == 1);

            Instant t0 = Instant.now();
            given().delete("/api/v1/watch/" + id).then().statusCode(200).body("status", equalTo("cancelled"));
            assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(2));
            assertThat(job(id).getString("status")).isEqualTo("cancelled");
            assertThat(runner.runsHere(id)).isFalse();
            given().delete("/api/v1/watch/" + id).then().statusCode(409).body("error", containsString("already ended"));

            List<ConsumerRecord<String, byte[]>> records = states.await(r -> id.equals(r.key()) && TopicReader.valueText(r).contains("\"cancelled\""), 1, WAIT);
            assertThat(TopicReader.valueText(records.get(records.size() - 1))).contains("\"status\":\"cancelled\"");
            assertThat(script.calls()).isEqualTo(1);
        }
    }

    @Test
    void detectionInAZoneWakesTheJobLongBeforeNextRunButOtherDetectionsDoNot() {
        String camera = cameraWithFrame(1000, 500);
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token, verdict(false, 300, "Nobody at the gate.", ""));
        String id = create(camera, Map.of("condition", "a person at the gate " + token, "labels", List.of("person"),
                "zones", List.of(Map.of("name", "gate", "x", 0.0, "y", 0.0, "width", 0.5, "height", 1.0))));
        await().atMost(WAIT).until(() -> script.calls() == 1);

        sendDetections(camera, 1000, 500, detection("car", 100, 250), detection("person", 800, 250));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> script.calls() == 1);

        sendDetections(camera, 1000, 500, detection("person", 200, 250));
        await().atMost(Duration.ofSeconds(5)).until(() -> script.calls() == 2);
        // the state is persisted once the answer to the woken look has been handled
        await().atMost(WAIT).until(() -> job(id).getInt("iterations") == 2);
        assertThat(job(id).getString("last_wake_reason")).isEqualTo("detection_zone");
        assertThat(job(id).getString("status")).isEqualTo("running");
    }

    @Test
    void withoutZonesMatchingDetectionsAreDrainedUntilTheCooldownThenWakeOnce() {
        String camera = cameraWithFrame(640, 480);
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token, verdict(false, 300, "No dog.", ""));
        String id = create(camera, Map.of("condition", "a dog in the garden " + token, "labels", List.of("dog")));
        await().atMost(WAIT).until(() -> script.calls() == 1);

        Instant first = Instant.now();
        sendDetections(camera, 640, 480, detection("dog", 100, 100));
        sendDetections(camera, 640, 480, detection("dog", 120, 100));
        sendDetections(camera, 640, 480, detection("dog", 140, 100));
        await().atMost(Duration.ofSeconds(8)).until(() -> script.calls() == 2);
        Duration woke = Duration.between(first, script.requests.get(1).at());
        assertThat(woke).as("woke after the 2 s cooldown, not at once").isBetween(Duration.ofMillis(1800), Duration.ofSeconds(6));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> script.calls() == 2);
        await().atMost(WAIT).until(() -> job(id).getInt("iterations") == 2);
        assertThat(job(id).getString("last_wake_reason")).isEqualTo("detection");
    }

    @Test
    void twoJobsOnOneCameraRunIndependently() {
        String camera = cameraWithFrame(640, 480);
        String tokenA = token();
        String tokenB = token();
        ScriptedVlm.script(tokenA, verdict(true, 5, "The car is in the driveway.", "Car arrived"));
        ScriptedVlm.Script b = ScriptedVlm.script(tokenB, verdict(false, 300, "The bins are still out.", ""));

        String a = create(camera, "a car is in the driveway " + tokenA);
        String other = create(camera, "the bins have been taken in " + tokenB);

        awaitStatus(a, "success");
        await().atMost(WAIT).until(() -> b.calls() >= 1);
        JsonPath stillRunning = job(other);
        assertThat(stillRunning.getString("status")).isEqualTo("running");
        assertThat(stillRunning.getString("last_reasoning")).isEqualTo("The bins are still out.");
        assertThat(b.requests).allSatisfy(r -> assertThat(r.text()).doesNotContain("The car is in the driveway"));
        given().get("/api/v1/watch?camera=" + camera).then().statusCode(200).body("size()", equalTo(2));
    }

    @Test
    void runningJobResumesWithItsStateWhenTheWatchRunnerRestarts() {
        String camera = cameraWithFrame(640, 480);
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token, verdict(false, 1, "Still waiting.", ""));
        String id = create(camera, Map.of("condition", "the lawn has been mowed " + token, "max_duration_minutes", 600));
        await().atMost(WAIT).until(() -> job(id).getInt("iterations") >= 2);
        long expiresAt = job(id).getLong("expires_at");

        // what a replica going away does: stop every loop, leave the owner group, forget all in-memory state
        runner.stop();
        int callsWhenStopped = script.calls();
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> script.calls() <= callsWhenStopped + 1);
        int iterationsPersisted = persistedIterations(id);

        // and coming back: state only from watch.jobs
        runner.start();
        await().atMost(WAIT).until(() -> runner.runsHere(id));
        await().atMost(WAIT).until(() -> job(id).getInt("iterations") > iterationsPersisted);
        JsonPath resumed = job(id);
        assertThat(resumed.getString("status")).isEqualTo("running");
        assertThat(resumed.getLong("expires_at")).as("the deadline moves by the time spent down")
                .isEqualTo(expiresAt + resumed.getLong("downtime_ms"));
        assertThat(script.calls()).isGreaterThan(callsWhenStopped);
    }

    @Test
    void aSecondOwnerGroupMemberTakesOverTheJobsOfItsPartitionsAndHandsThemBackWhenItLeaves() {
        String camera = cameraWithFrame(320, 240);
        Map<String, ScriptedVlm.Script> scripts = new java.util.HashMap<>();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String token = token();
            ScriptedVlm.Script script = ScriptedVlm.script(token, verdict(false, 1, "Not yet.", ""));
            String id = create(camera, "owner test " + i + " " + token);
            ids.add(id);
            scripts.put(id, script);
        }
        await().atMost(WAIT).until(() -> ids.stream().allMatch(runner::runsHere));

        // another replica: a plain member of the same owner group
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", io.sightline.testsupport.TestBroker.bootstrapServers());
        props.put("group.id", "watch-service-owners");
        props.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        props.put("enable.auto.commit", "false");
        props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        try (var other = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
            other.subscribe(List.of(Topics.WATCH_JOBS));
            await().atMost(WAIT).until(() -> {
                other.poll(Duration.ofMillis(50));
                return !other.assignment().isEmpty() && java.util.Collections.disjoint(log.ownedPartitions(),
                        other.assignment().stream().map(tp -> tp.partition()).toList());
            });
            List<Integer> theirs = other.assignment().stream().map(tp -> tp.partition()).toList();
            for (String id : ids) {
                assertThat(runner.runsHere(id)).as("job on partition " + log.partitionOf(id) + ", other member has " + theirs)
                        .isEqualTo(!theirs.contains(log.partitionOf(id)));
            }
            Map<String, Integer> calls = new java.util.HashMap<>();
            ids.forEach(id -> calls.put(id, scripts.get(id).calls()));
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> {
                other.poll(Duration.ofMillis(50));
                return ids.stream().filter(id -> theirs.contains(log.partitionOf(id)))
                        .allMatch(id -> scripts.get(id).calls() <= calls.get(id) + 1);
            });
        }
        // the other member left: every job runs here again
        await().atMost(WAIT).until(() -> ids.stream().allMatch(runner::runsHere));
    }

    @Test
    void statusChangesOfAJobStreamAsServerSentEventsUntilItEnds() throws Exception {
        String camera = cameraWithFrame(320, 240);
        String token = token();
        ScriptedVlm.script(token, verdict(false, 1, "Door closed.", ""), verdict(true, 5, "Door open.", "The door is open"));
        String id = create(camera, "the door opens " + token);

        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response = http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(io.restassured.RestAssured.baseURI + ":"
                        + io.restassured.RestAssured.port + "/api/v1/watch/" + id + "/events")).timeout(WAIT).build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> events = response.body().filter(line -> line.startsWith("data:"))
                .map(line -> {
                    try {
                        return JSON.readTree(line.substring(5).trim());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList(); // the stream ends after the final status
        assertThat(events).isNotEmpty();
        assertThat(events.get(events.size() - 1).path("status").asText()).isEqualTo("success");
        assertThat(events.get(events.size() - 1).path("notification_message").asText()).isEqualTo("The door is open");
        assertThat(events).allSatisfy(e -> assertThat(e.path("id").asText()).isEqualTo(id));
    }

    @Test
    void noFrameOfAKnownCameraIsReportedAndRetried() {
        String camera = "watch-noframe-" + UUID.randomUUID().toString().substring(0, 8);
        sendDetections(camera, 640, 480, detection("person", 10, 10));
        await().atMost(WAIT).until(() -> frames.knows(camera));
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token, verdict(true, 5, "x", "x"));

        String id = create(camera, "someone waves " + token);

        await().atMost(WAIT).until(() -> job(id).getInt("iterations") >= 2);
        assertThat(job(id).getString("last_outcome")).isEqualTo("Camera frame unavailable");
        assertThat(job(id).getString("status")).isEqualTo("running");
        assertThat(script.calls()).isZero();
    }

    @Test
    void invalidRequestsAreRejectedWithClearErrors() {
        String camera = cameraWithFrame(320, 240);
        given().contentType(ContentType.JSON).body(Map.of("camera", "never-seen-" + UUID.randomUUID(), "condition", "x"))
                .post("/api/v1/watch").then().statusCode(404).body("error", containsString("unknown camera"));
        given().contentType(ContentType.JSON).body(Map.of("camera", camera, "condition", "  "))
                .post("/api/v1/watch").then().statusCode(400).body(containsString("condition must not be empty"));
        given().contentType(ContentType.JSON).body(Map.of("camera", camera, "condition", "x", "max_duration_minutes", 0))
                .post("/api/v1/watch").then().statusCode(400).body(containsString("between 1 and 1440"));
        given().contentType(ContentType.JSON).body(Map.of("camera", camera, "condition", "x", "max_duration_minutes", 1441))
                .post("/api/v1/watch").then().statusCode(400).body(containsString("between 1 and 1440"));
        given().contentType(ContentType.JSON).body(Map.of("camera", camera, "condition", "x",
                        "zones", List.of(Map.of("x", 0.8, "y", 0.0, "width", 0.5, "height", 0.5))))
                .post("/api/v1/watch").then().statusCode(400).body(containsString("inside the frame"));
        given().contentType(ContentType.JSON).body("{\"camera\": ").post("/api/v1/watch").then().statusCode(400);
        given().get("/api/v1/watch/" + UUID.randomUUID()).then().statusCode(404).body("error", containsString("no watch job"));
    }

    @Test
    void perCameraAndGlobalCapsAnswerWithAClearError() {
        String camera = cameraWithFrame(320, 240);
        for (int i = 0; i < 3; i++) {
            create(camera, "cap test " + i + " " + token());
        }
        given().contentType(ContentType.JSON).body(Map.of("camera", camera, "condition", "one too many"))
                .post("/api/v1/watch").then().statusCode(409).body("error", containsString("limit per camera is 3"));

        String other = cameraWithFrame(320, 240);
        String third = cameraWithFrame(320, 240);
        create(other, "cap a " + token());
        create(other, "cap b " + token());
        create(third, "cap c " + token());
        given().contentType(ContentType.JSON).body(Map.of("camera", third, "condition", "over the global limit"))
                .post("/api/v1/watch").then().statusCode(429).body("error", containsString("the limit is 6"));
    }

    // ---- issue 17: the watch loop fixes

    @Test
    void verdictWithoutNextRunInLooksAgainAfterTheThirtySecondDefaultNotFiveMinutes() {
        String camera = cameraWithFrame(320, 240);
        String token = token();
        ScriptedVlm.script(token, "{\"condition_met\": false, \"reasoning\": \"Nothing yet.\", \"notification_message\": \"\"}");
        String id = create(camera, "a bird lands on the feeder " + token);

        await().atMost(WAIT).until(() -> job(id).getInt("iterations") >= 1);
        JsonPath after = job(id);
        assertThat(after.getString("last_outcome")).isEqualTo("Condition not met yet");
        assertThat(after.getLong("next_run_at") - after.getLong("last_run_at")).as("sightline.watch.default-next-run-seconds")
                .isBetween(29_000L, 30_000L);
    }

    @Test
    void labelsOutsideTheDetectorsVocabularyAreRejectedWithTheKnownLabelsAndSynonymsAreMapped() {
        String camera = cameraWithFrame(320, 240);
        JsonPath rejected = given().contentType(ContentType.JSON)
                .body(Map.of("camera", camera, "condition", "the package is delivered", "labels", List.of("person", "package")))
                .post("/api/v1/watch").then().statusCode(400).extract().jsonPath();
        assertThat(rejected.getString("error")).contains("'package' is not a class the object detector reports")
                .contains("COCO").contains("in the condition text instead");
        assertThat(rejected.getList("unknown_labels")).containsExactly("package");
        assertThat(rejected.getList("known_labels", String.class)).hasSize(80).contains("person", "dog", "suitcase");

        String id = given().contentType(ContentType.JSON)
                .body(Map.of("camera", camera, "condition", "people with a dog " + token(), "labels", List.of("People", "dog")))
                .post("/api/v1/watch").then().statusCode(201).extract().jsonPath().getString("id");
        assertThat(job(id).getList("labels")).containsExactly("person", "dog");
    }

    @Test
    void channelsAreValidatedAsNames() {
        String camera = cameraWithFrame(320, 240);
        given().contentType(ContentType.JSON).body(Map.of("camera", camera, "condition", "x", "channels", List.of("Bad Name")))
                .post("/api/v1/watch").then().statusCode(400).body(containsString("channels must be names"));
        given().contentType(ContentType.JSON).body(Map.of("camera", camera, "condition", "x",
                        "channels", java.util.stream.IntStream.range(0, 11).mapToObj(i -> "c" + i).toList()))
                .post("/api/v1/watch").then().statusCode(400).body(containsString("at most 10 channels"));
    }

    @Test
    void aTruncatedOrRepairedMetVerdictNeverRaisesANotification() throws Exception {
        String camera = cameraWithFrame(320, 240);
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token,
                "{\"condition_met\": true, \"next_run_in\": 5, \"reasoning\": \"A parcel lies on the",
                "condition_met: true, next_run_in: 5, reasoning: \"maybe a parcel\"",
                verdict(false, 300, "No parcel.", ""));
        try (TopicReader notifications = TopicReader.fromNow(Topics.NOTIFICATIONS)) {
            String id = create(camera, "a parcel is on the mat " + token);
            await().atMost(WAIT).until(() -> script.calls() >= 3 && job(id).getInt("iterations") >= 3);
            assertThat(job(id).getString("status")).isEqualTo("running");
            assertThat(job(id).getString("last_reasoning")).isEqualTo("No parcel.");
            assertThat(notifications.drain(Duration.ofMillis(1000)).stream().filter(r -> TopicReader.valueText(r).contains(id)))
                    .as("no notification from a cut-off or repaired answer").isEmpty();
            assertThat(script.requests.get(2).text()).as("the untrusted answers are not kept in the conversation")
                    .doesNotContain("A parcel lies on the").doesNotContain("maybe a parcel");
        }
    }

    @Test
    void conversationHistorySurvivesARestartAndTheJobResumesWithinTenSecondsWithItsDowntimeReported() throws Exception {
        String camera = cameraWithFrame(320, 240);
        String token = token();
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        ScriptedVlm.Script script = ScriptedVlm.scriptReplies(token, List.of(
                r -> StandInVlmServer.Reply.text(verdict(false, 1, "Look " + n.incrementAndGet() + ": the gate is shut.", ""))));
        String id = create(camera, Map.of("condition", "the gate opens " + token, "max_duration_minutes", 600));
        await().atMost(WAIT).until(() -> job(id).getInt("iterations") >= 3);

        runner.stop();
        int callsWhenStopped = script.calls();
        long expiresBefore = persisted(id).path("expires_at").asLong();
        // down for at least 1.5 s: no replica runs the job
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> true);

        Instant restarted = Instant.now();
        runner.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> script.calls() > callsWhenStopped + 1);
        Duration resumedWithin = Duration.between(restarted, script.requests.get(callsWhenStopped + 1).at());
        assertThat(resumedWithin).as("first look after the restart").isLessThan(Duration.ofSeconds(10));

        ReceivedRequest afterRestart = script.requests.get(callsWhenStopped + 1);
        assertThat(afterRestart.text()).as("the earlier answers are still in the conversation")
                .contains("the gate is shut").contains(WatchConversation.RESTORED_NOTE.trim());
        await().atMost(WAIT).until(() -> job(id).getLong("downtime_ms") > 0);
        JsonPath resumed = job(id);
        assertThat(resumed.getLong("downtime_ms")).isBetween(1400L, 10_000L);
        assertThat(resumed.getLong("expires_at")).isEqualTo(expiresBefore + resumed.getLong("downtime_ms"));
        assertThat(resumed.getList("history")).isNotEmpty().hasSizeLessThanOrEqualTo(10);
        try (TopicReader all = TopicReader.fromBeginning(Topics.WATCH_JOBS)) {
            assertThat(all.drain(Duration.ofSeconds(1)).stream().filter(r -> id.equals(r.key())).map(TopicReader::valueText))
                    .as("the resume is an event of its own").anySatisfy(v -> assertThat(v).contains("Resumed after"));
        }
        System.out.printf("watch resume after restart: first look %d ms after start(), downtime reported %d ms%n",
                resumedWithin.toMillis(), resumed.getLong("downtime_ms"));
    }

    @Test
    void aJobThatUsedItsVlmCallBudgetEndsSayingSo() {
        String camera = cameraWithFrame(320, 240);
        String token = token();
        ScriptedVlm.Script script = ScriptedVlm.script(token, verdict(false, 1, "Not yet.", ""));
        String id = create(camera, Map.of("condition", "the oven light goes off " + token, "max_vlm_calls", 2));
        assertThat(job(id).getInt("max_vlm_calls")).isEqualTo(2);

        JsonPath failed = awaitStatus(id, "failed");
        assertThat(failed.getString("error")).isEqualTo("VLM call budget exhausted: 2 of 2 calls used (max_vlm_calls)");
        assertThat(failed.getInt("vlm_calls")).isEqualTo(2);
        assertThat(script.calls()).isEqualTo(2);
    }

    @Test
    void theDefaultBudgetFollowsTheDuration() {
        String camera = cameraWithFrame(320, 240);
        String id = create(camera, Map.of("condition", "budget default " + token(), "max_duration_minutes", 10));
        assertThat(job(id).getInt("max_vlm_calls")).as("12 calls per minute").isEqualTo(120);
    }

    private static JsonNode persisted(String id) {
        try (TopicReader all = TopicReader.fromBeginning(Topics.WATCH_JOBS)) {
            List<ConsumerRecord<String, byte[]>> records = all.drain(Duration.ofSeconds(1)).stream().filter(r -> id.equals(r.key())).toList();
            return JSON.readTree(records.get(records.size() - 1).value());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- helpers

    private String cameraWithFrame(int width, int height) {
        String camera = "watch-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] jpeg = TestImages.encodeJpeg(TestImages.scene(width, height, Color.DARK_GRAY, width / 3, height / 3), 0.9f);
        TestKafka.sendFrame(camera, jpeg, width, height);
        await().atMost(WAIT).until(() -> frames.frame(camera).isPresent());
        return camera;
    }

    private static String token() {
        return "[job " + UUID.randomUUID() + "]";
    }

    private static String create(String camera, String condition) {
        return create(camera, Map.of("condition", condition));
    }

    private static String create(String camera, Map<String, Object> fields) {
        Map<String, Object> body = new java.util.HashMap<>(fields);
        body.put("camera", camera);
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/watch")
                .then().statusCode(201).body("status", equalTo("running")).body("camera", equalTo(camera))
                .extract().jsonPath().getString("id");
    }

    private static JsonPath job(String id) {
        return given().get("/api/v1/watch/" + id).then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath awaitStatus(String id, String status) {
        await().atMost(WAIT).until(() -> status.equals(job(id).getString("status")));
        return job(id);
    }

    private static int persistedIterations(String id) {
        try (TopicReader all = TopicReader.fromBeginning(Topics.WATCH_JOBS)) {
            List<ConsumerRecord<String, byte[]>> records = all.drain(Duration.ofSeconds(1)).stream().filter(r -> id.equals(r.key())).toList();
            JsonNode last = JSON.readTree(records.get(records.size() - 1).value());
            return last.path("iterations").asInt();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static DetectionsProduced.Detection detection(String label, double cx, double cy) {
        return new DetectionsProduced.Detection(label, 0.9, new DetectionsProduced.Box(cx - 20, cy - 20, 40, 40));
    }

    private static void sendDetections(String camera, int width, int height, DetectionsProduced.Detection... detections) {
        DetectionsProduced event = new DetectionsProduced(DetectionsProduced.SCHEMA, UUID.randomUUID().toString(), camera,
                System.currentTimeMillis(), width, height, "yolox-nano", List.of(detections), List.of());
        try {
            TestKafka.send(Topics.DETECTIONS, camera, JSON.writeValueAsBytes(event), new RecordHeaders());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
