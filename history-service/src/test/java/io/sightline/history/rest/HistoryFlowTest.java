package io.sightline.history.rest;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.kafka.Topics;
import io.sightline.history.support.EmbeddedPostgresResource;
import io.sightline.history.support.Records;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** history-service against a real PostgreSQL (embedded binaries) and the in-JVM broker. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(EmbeddedPostgresResource.class)
class HistoryFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void replayedRecordsAreStoredOnce() throws Exception {
        String camera = cam("idem");
        long at = System.currentTimeMillis();
        CaptionProduced caption = Records.caption(camera, at, "A person is standing at the door.");
        DetectionsProduced detections = Records.detections(camera, at, "person:0.9");
        NotificationRaised notification = Records.notification(camera, at, "A parcel is on the mat.");
        LifecycleEvent lifecycle = Records.lifecycle(at);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM lifecycle_events WHERE event_id = ?", lifecycle.eventId()) == 1
                && count("SELECT count(*) FROM captions WHERE camera = ?", camera) == 1
                && count("SELECT count(*) FROM events WHERE camera = ? AND kind = 'object'", camera) == 1);

        // the same records again (a producer retry, a replay after a crash), and a marker behind them
        Records.send(Topics.CAPTIONS, camera, caption);
        Records.send(Topics.DETECTIONS, camera, detections);
        Records.send(Topics.NOTIFICATIONS, camera, notification);
        Records.send(Topics.VLM_LIFECYCLE, "caption-server", lifecycle);
        Records.caption(camera, at + 1000, "marker");
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM captions WHERE camera = ?", camera) == 2);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM lifecycle_events WHERE event_id = ?", lifecycle.eventId()) == 1);

        assertThat(count("SELECT count(*) FROM detections WHERE camera = ?", camera)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM notifications WHERE camera = ?", camera)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM events WHERE camera = ? AND kind = 'notification'", camera)).isEqualTo(1);
        // the replayed detections did not extend the episode
        JsonPath events = given().queryParam("camera", camera).queryParam("label", "person").get("/api/v1/history/events")
                .then().statusCode(200).extract().jsonPath();
        assertThat(events.getList("events")).hasSize(1);
        assertThat(events.getInt("events[0].frames")).isEqualTo(1);
    }

    @Test
    void poisonRecordsGoToTheHistoryDeadLetterTopicWithTheReason() throws Exception {
        String camera = cam("dlq");
        try (TopicReader dlq = TopicReader.fromNow(Topics.HISTORY_DLQ)) {
            TestKafka.send(Topics.CAPTIONS, camera, "{not json".getBytes(StandardCharsets.UTF_8), new RecordHeaders());
            Records.send(Topics.DETECTIONS, camera, new DetectionsProduced(1, "not-a-uuid", camera, System.currentTimeMillis(),
                    1, 1, "m", List.of(), List.of()));
            Records.send(Topics.CAPTIONS, camera, new CaptionProduced(1, UUID.randomUUID().toString(), camera, 1_700_000_000L,
                    0, "onnx", "m", "seconds, not milliseconds", 1, List.of()));
            Records.caption(camera, System.currentTimeMillis(), "A good caption after the bad ones.");

            List<ConsumerRecord<String, byte[]>> dead = dlq.await(r -> camera.equals(r.key()), 3, WAIT);
            assertThat(dead).extracting(r -> TopicReader.header(r, "dead-letter-reason")).anySatisfy(
                    reason -> assertThat(reason).contains("not a JSON CaptionProduced"));
            assertThat(dead).extracting(r -> TopicReader.header(r, "dead-letter-reason")).anySatisfy(
                    reason -> assertThat(reason).contains("frame_id is not a UUID"));
            assertThat(dead).extracting(r -> TopicReader.header(r, "dead-letter-reason")).anySatisfy(
                    reason -> assertThat(reason).contains("captured_at is not epoch milliseconds"));
            assertThat(TopicReader.header(dead.get(0), "dead-letter-topic")).isIn(Topics.CAPTIONS, Topics.DETECTIONS);
        }
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM captions WHERE camera = ?", camera) == 1);
    }

    @Test
    void escalationFieldsOfCaptionsAreStoredAndServed() throws Exception {
        String camera = cam("esc");
        long at = System.currentTimeMillis();
        String described = UUID.randomUUID().toString();
        // caption-service's escalation pipeline: one described frame, one frame repeating its description
        Records.send(Topics.CAPTIONS, camera, new CaptionProduced(1, described, camera, at, at + 900, "caption-server",
                "caption-model", "A man carries a parcel to the door.", 900, List.of(), true, "class_appeared", "person", described));
        String suppressed = UUID.randomUUID().toString();
        Records.send(Topics.CAPTIONS, camera, new CaptionProduced(1, suppressed, camera, at + 1000, at + 1080, "onnx",
                "yolox-nano+pp-ocrv4", "A man carries a parcel to the door. Now: A person is visible.", 80, List.of(), false,
                "static", null, described));

        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM captions WHERE camera = ?", camera) == 2);
        given().get("/api/v1/history/captions?camera=" + camera + "&limit=10").then().statusCode(200)
                .body("captions.find { it.frame_id == '" + suppressed + "' }.escalated", org.hamcrest.Matchers.is(false))
                .body("captions.find { it.frame_id == '" + suppressed + "' }.escalation_reason", org.hamcrest.Matchers.is("static"))
                .body("captions.find { it.frame_id == '" + suppressed + "' }.described_frame_id", org.hamcrest.Matchers.is(described))
                .body("captions.find { it.frame_id == '" + described + "' }.escalated", org.hamcrest.Matchers.is(true));
    }

    @Test
    void aCaptionWithNoTextFromTheNoneTierIsKeptNotDeadLettered() throws Exception {
        String camera = cam("none");
        long at = System.currentTimeMillis();
        // what caption-service publishes when every describing tier failed through to none
        Records.send(Topics.CAPTIONS, camera, new CaptionProduced(1, UUID.randomUUID().toString(), camera, at,
                at + 5, "none", "none", "", 1, List.of("vlm", "labels")));
        Records.caption(camera, at + 1000, "A described frame after it.");

        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM captions WHERE camera = ?", camera) == 2);
        given().get("/api/v1/history/captions?camera=" + camera + "&limit=10").then().statusCode(200)
                .body("captions.text", org.hamcrest.Matchers.hasItems("", "A described frame after it."))
                .body("captions.backend", org.hamcrest.Matchers.hasItem("none"));
        given().get("/api/v1/history/search?q=described&camera=" + camera).then().statusCode(200);
    }

    @Test
    void aScriptedDetectionSequenceBecomesEpisodesWithPeakAndCountsPerBucket() throws Exception {
        String camera = cam("drive");
        long day = LocalDate.now(ZoneOffset.UTC).minusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        long nine = day + 9 * 3_600_000L;
        // car 1 at 09:00:00-09:00:06 (a 4 s gap in between), car 2 at 09:30, car 3 at 14:00; a person at 09:00:01
        DetectionsProduced peak = null;
        Records.detections(camera, nine, "car:0.6");
        DetectionsProduced second = Records.detections(camera, nine + 1000, "car:0.92", "car:0.5", "person:0.8");
        Records.detections(camera, nine + 2000);
        Records.detections(camera, nine + 6000, "car:0.7");
        Records.detections(camera, nine + 1_800_000, "car:0.8");
        Records.detections(camera, day + 14 * 3_600_000L, "car:0.85");
        peak = second;
        Records.caption(camera, nine + 1000, "Two cars are parked in the driveway.");

        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM events WHERE camera = ? AND label = 'car'", camera) == 3);

        JsonPath events = given().queryParam("camera", camera).queryParam("label", "car").queryParam("zone", "UTC")
                .get("/api/v1/history/events").then().statusCode(200).extract().jsonPath();
        assertThat(events.getList("events")).hasSize(3);
        // newest first: the first car is last
        assertThat(events.getLong("events[2].start_at")).isEqualTo(nine);
        assertThat(events.getLong("events[2].end_at")).isEqualTo(nine + 6000);
        assertThat(events.getInt("events[2].frames")).isEqualTo(3);
        assertThat(events.getString("events[2].peak_frame_id")).isEqualTo(peak.frameId());
        assertThat(events.getInt("events[2].peak_count")).isEqualTo(2);
        assertThat(events.getList("events[2].captions", String.class)).containsExactly("Two cars are parked in the driveway.");

        // counting events, not frames: 2 cars in the 09:00 hour, 1 at 14:00; 3 that day
        JsonPath hours = given().queryParam("label", "car").queryParam("camera", camera).queryParam("bucket", "hour")
                .get("/api/v1/history/counts").then().statusCode(200).extract().jsonPath();
        String date = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
        assertThat(hours.getList("buckets.start", String.class)).containsExactly(date + "T09:00", date + "T14:00");
        assertThat(hours.getList("buckets.events", Integer.class)).containsExactly(2, 1);
        JsonPath days = given().queryParam("label", "car").queryParam("camera", camera).queryParam("bucket", "day")
                .queryParam("zone", "Asia/Tokyo").get("/api/v1/history/counts").then().statusCode(200).extract().jsonPath();
        // in Tokyo (UTC+9) 09:00/09:30 UTC are 18:00/18:30 and 14:00 UTC is 23:00 of the same day
        assertThat(days.getLong("total")).isEqualTo(3);
        assertThat(days.getList("buckets")).hasSize(1);

        // cursor paging: one per page, three pages, then no cursor
        String cursor = null;
        int seen = 0;
        do {
            var request = given().queryParam("camera", camera).queryParam("label", "car").queryParam("limit", 1);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/history/events").then().statusCode(200).extract().jsonPath();
            seen += page.getList("events").size();
            cursor = page.getString("next_cursor");
        } while (cursor != null && seen < 10);
        assertThat(seen).isEqualTo(3);
    }

    @Test
    void deliveryFindsTheVanWithAParcelAndTheAnswerSaysHowItRanked() throws Exception {
        String camera = cam("porch");
        long at = System.currentTimeMillis() - 60_000;
        Records.caption(camera, at, "A white van is parked by the curb and a man carries a parcel to the door.");
        Records.caption(camera, at + 1000, "A cat is sleeping on the sofa.");
        Records.caption(camera, at + 2000, "An empty street at night with wet asphalt.");
        Records.caption(camera, at + 3000, "Two children are playing football on the lawn.");
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM captions WHERE camera = ?", camera) == 4);

        JsonPath result = given().queryParam("q", "delivery").queryParam("camera", camera).get("/api/v1/history/search")
                .then().statusCode(200).extract().jsonPath();
        assertThat(result.getString("semantic")).isEqualTo("exact-cosine");
        assertThat(result.getBoolean("pgvector_available")).isFalse();
        assertThat(result.getInt("fulltext_matches")).isZero(); // "delivery" is not a word of any caption
        assertThat(result.getString("results[0].text")).contains("van").contains("parcel");
        // without a camera: every camera's texts are candidates, and the van is still found
        assertThat(given().queryParam("q", "delivery").queryParam("limit", 100).get("/api/v1/history/search").then().statusCode(200)
                .extract().jsonPath().getList("results.text", String.class)).anyMatch(t -> t.contains("van") && t.contains("parcel"));

        // asked again: the same ranking, from the vectors kept in memory (none read from the database), and the
        // question's own embedding remembered (the model does not run again)
        double loadedBefore = registry.counter("sightline.history.search.vectors", "outcome", "loaded").count();
        double embeddedBefore = registry.get("sightline.history.search.query.embeddings").tag("outcome", "computed")
                .functionCounter().count();
        double rememberedBefore = registry.get("sightline.history.search.query.embeddings").tag("outcome", "cached")
                .functionCounter().count();
        JsonPath again = given().queryParam("q", "delivery").queryParam("camera", camera).get("/api/v1/history/search")
                .then().statusCode(200).extract().jsonPath();
        assertThat(again.getList("results.text")).isEqualTo(result.getList("results.text"));
        assertThat(again.getList("results.similarity")).isEqualTo(result.getList("results.similarity"));
        assertThat(registry.counter("sightline.history.search.vectors", "outcome", "loaded").count()).isEqualTo(loadedBefore);
        assertThat(registry.get("sightline.history.search.query.embeddings").tag("outcome", "computed").functionCounter().count())
                .isEqualTo(embeddedBefore);
        assertThat(registry.get("sightline.history.search.query.embeddings").tag("outcome", "cached").functionCounter().count())
                .isEqualTo(rememberedBefore + 1);
        // each stage of a search is timed
        for (String stage : java.util.List.of("embed", "fulltext", "candidates", "cosine", "occurrences")) {
            assertThat(registry.get("sightline.history.search.stage").tag("stage", stage).timer().count()).as(stage).isPositive();
        }

        JsonPath fulltext = given().queryParam("q", "\"sleeping on the sofa\"").queryParam("camera", camera)
                .get("/api/v1/history/search").then().statusCode(200).extract().jsonPath();
        assertThat(fulltext.getInt("fulltext_matches")).isEqualTo(1);
        assertThat(fulltext.getString("results[0].text")).isEqualTo("A cat is sleeping on the sofa.");
        assertThat(fulltext.getInt("results[0].fulltext_rank")).isEqualTo(1);
    }

    @Test
    void framesGetA320PixelThumbnailServedByFrameId() throws Exception {
        String camera = cam("thumb");
        var frame = TestKafka.sendFrame(camera, TestImages.jpeg("astronaut.png").bytes(), 512, 512);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM thumbnails WHERE camera = ?", camera) == 1);
        byte[] jpeg = given().get("/api/v1/history/frames/" + frame.frameId() + "/thumbnail.jpg")
                .then().statusCode(200).contentType("image/jpeg").extract().asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(Math.max(image.getWidth(), image.getHeight())).isEqualTo(320);

        // a 1280x720 frame is read at half size (every other row and column) and scaled to 320x180; the picture
        // survives: the thumbnail's mean brightness matches the frame's own within a few levels
        BufferedImage wide = new BufferedImage(1280, 720, BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = wide.createGraphics();
        g.drawImage(TestImages.read("astronaut.png"), 0, 0, 1280, 720, null);
        g.dispose();
        var wideFrame = TestKafka.sendFrame(camera, TestImages.encodeJpeg(wide, 0.85f), 1280, 720);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM thumbnails WHERE camera = ?", camera) == 2);
        BufferedImage small = ImageIO.read(new ByteArrayInputStream(given().get("/api/v1/history/frames/" + wideFrame.frameId()
                + "/thumbnail.jpg").then().statusCode(200).extract().asByteArray()));
        assertThat(small.getWidth()).isEqualTo(320);
        assertThat(small.getHeight()).isEqualTo(180);
        assertThat(meanLuma(small)).isCloseTo(meanLuma(wide), org.assertj.core.data.Offset.offset(4.0));

        given().get("/api/v1/history/frames/" + UUID.randomUUID() + "/thumbnail.jpg").then().statusCode(404);
        given().get("/api/v1/history/frames/nope/thumbnail.jpg").then().statusCode(400);
    }

    @Test
    void badInputIsRefusedWithAMessage() throws Exception {
        given().queryParam("camera", "never-seen-" + UUID.randomUUID()).get("/api/v1/history/events").then().statusCode(404)
                .extract().jsonPath().getString("message").contains("no history");
        assertThat(given().queryParam("since", "2026-05-02T00:00:00Z").queryParam("until", "2026-05-01T00:00:00Z")
                .get("/api/v1/history/events").then().statusCode(400).extract().jsonPath().getString("message")).contains("after until");
        assertThat(given().queryParam("limit", "5000").get("/api/v1/history/events").then().statusCode(400)
                .extract().jsonPath().getString("message")).contains("limit must be");
        assertThat(given().queryParam("since", "yesterday-ish").get("/api/v1/history/captions").then().statusCode(400)
                .extract().jsonPath().getString("message")).contains("ISO-8601");
        given().queryParam("label", "car").queryParam("bucket", "week").get("/api/v1/history/counts").then().statusCode(400);
        given().get("/api/v1/history/counts").then().statusCode(400);
        given().get("/api/v1/history/search").then().statusCode(400);
        given().queryParam("cursor", "garbage!").get("/api/v1/history/events").then().statusCode(400);
        // no SQL is built from input: a quote-laden query is just text
        given().queryParam("q", "'; DROP TABLE captions; --").get("/api/v1/history/search").then().statusCode(200);
        assertThat(count("SELECT count(*) FROM pg_tables WHERE tablename = 'captions'")).isEqualTo(1);
    }

    @Test
    void retentionDeletesWhatIsOlderThanTheCamerasDaysThumbnailsIncluded() throws Exception {
        String camera = cam("old");
        long now = System.currentTimeMillis();
        long tenDaysAgo = now - Duration.ofDays(10).toMillis();
        Records.caption(camera, tenDaysAgo, "An old caption from ten days ago.");
        Records.detections(camera, tenDaysAgo, "dog:0.9");
        CaptionProduced recent = Records.caption(camera, now - 60_000, "A recent caption.");
        var frame = TestKafka.sendFrame(camera, TestImages.jpeg("coffee.png").bytes(), 512, 512);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM captions WHERE camera = ?", camera) == 2
                && count("SELECT count(*) FROM thumbnails WHERE camera = ?", camera) == 1
                && count("SELECT count(*) FROM events WHERE camera = ?", camera) == 1);
        // the thumbnail is old too
        update("UPDATE thumbnails SET captured_at = ? WHERE frame_id = ?", tenDaysAgo, frame.frameId());

        // default retention (30 days) keeps everything
        given().post("/api/v1/history/retention/run").then().statusCode(200);
        assertThat(count("SELECT count(*) FROM captions WHERE camera = ?", camera)).isEqualTo(2);
        assertThat(searchTexts(camera, "a caption")).containsExactlyInAnyOrder("An old caption from ten days ago.", "A recent caption.");

        given().contentType("application/json").body("{\"days\": 0}").put("/api/v1/history/cameras/" + camera + "/retention")
                .then().statusCode(400);
        given().contentType("application/json").body("{\"days\": 7}").put("/api/v1/history/cameras/nobody-" + UUID.randomUUID() + "/retention")
                .then().statusCode(404);
        given().contentType("application/json").body("{\"days\": 7}").put("/api/v1/history/cameras/" + camera + "/retention")
                .then().statusCode(200).extract().jsonPath().getInt("retention_days");
        JsonPath report = given().post("/api/v1/history/retention/run").then().statusCode(200).extract().jsonPath();
        assertThat(report.getLong("deleted.captions")).isGreaterThanOrEqualTo(1);

        assertThat(given().queryParam("camera", camera).get("/api/v1/history/captions").then().statusCode(200).extract().jsonPath()
                .getList("captions.frame_id", String.class)).containsExactly(recent.frameId());
        assertThat(count("SELECT count(*) FROM detections WHERE camera = ?", camera)).isZero();
        assertThat(count("SELECT count(*) FROM events WHERE camera = ?", camera)).isZero();
        given().get("/api/v1/history/frames/" + frame.frameId() + "/thumbnail.jpg").then().statusCode(404);
        assertThat(count("SELECT count(*) FROM caption_texts WHERE text = 'An old caption from ten days ago.'")).isZero();
        // the camera's search summary (camera_texts) follows the delete: the old text is no longer found on this camera
        assertThat(searchTexts(camera, "a caption")).containsExactly("A recent caption.");
        assertThat(count("SELECT n FROM camera_texts WHERE camera = ?", camera)).isEqualTo(1);
    }

    private static java.util.List<String> searchTexts(String camera, String query) {
        return given().queryParam("q", query).queryParam("camera", camera).get("/api/v1/history/search")
                .then().statusCode(200).extract().jsonPath().getList("results.text", String.class);
    }

    private static double meanLuma(BufferedImage image) {
        double sum = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                sum += 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
            }
        }
        return sum / ((double) image.getWidth() * image.getHeight());
    }

    private long count(String sql, Object... params) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void update(String sql, Object... params) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    private static String cam(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

}
