package io.sightline.caption.escalation;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.caption.support.CaptionTestResource;
import io.sightline.caption.support.Scenes;
import io.sightline.caption.support.StandInControl;
import io.sightline.common.event.CaptionRefreshRequested;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.sightline.caption.support.CaptionTests.allHealthy;
import static io.sightline.caption.support.CaptionTests.backends;
import static io.sightline.caption.support.CaptionTests.control;
import static io.sightline.caption.support.CaptionTests.forFrame;
import static io.sightline.caption.support.CaptionTests.json;
import static io.sightline.caption.support.EscalationCameras.APPEAR;
import static io.sightline.caption.support.EscalationCameras.BUDGET;
import static io.sightline.caption.support.EscalationCameras.COUNT;
import static io.sightline.caption.support.EscalationCameras.FLOW;
import static io.sightline.caption.support.EscalationCameras.KEEP_ALIVE;
import static io.sightline.caption.support.EscalationCameras.MOVE;
import static io.sightline.caption.support.EscalationCameras.REFRESH;
import static io.sightline.caption.support.EscalationCameras.STATIC;
import static io.sightline.caption.support.EscalationCameras.TEXT;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The escalation pipeline with the caption-server tier selected (the stand-in vlm-service): the onnx models
 * look at every frame and their detections are published; the describing tier is asked only when the
 * scene's meaning changed, and every other frame's caption repeats the last description.
 */
@QuarkusTest
@WithTestResource(CaptionTestResource.class)
class EscalationPipelineTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MINUTE = 60_000;

    @BeforeEach
    void healthy() {
        allHealthy();
    }

    @AfterEach
    void restore() {
        allHealthy();
    }

    @Test
    void detectionsKeepFlowingForEveryFrameWithADescribingTierSelected() {
        assertThat(backends().path("selected").asText()).isEqualTo("caption-server");
        assertThat(backends().path("escalation").path("active").asBoolean()).as("escalation pipeline runs").isTrue();
        try (TopicReader detections = TopicReader.fromNow(Topics.DETECTIONS);
             TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t = System.currentTimeMillis();
            List<CapturedFrame> sent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                // awaited one by one: the newest-wins rule may skip frames sent in a burst
                CapturedFrame f = Scenes.send(FLOW, Scenes.person(100), t + i * 1000);
                sent.add(f);
                captions.awaitOne(r -> forFrame(r, f), WAIT);
            }
            for (CapturedFrame f : sent) {
                JsonNode d = json(detections.awaitOne(r -> forFrame(r, f), WAIT));
                assertThat(d.path("model").asText()).isEqualTo("yolox-nano+pp-ocrv4");
                assertThat(d.path("detections").findValuesAsText("label")).contains("person");
            }
            // and the static frames after the first did not go to the describing tier
            assertThat(escalatedCount(captions, sent)).isEqualTo(1);
        }
        // a camera with the pipeline off (every frame described) gets detections too
        try (TopicReader detections = TopicReader.fromNow(Topics.DETECTIONS)) {
            CapturedFrame f = Scenes.send("esc-off", Scenes.person(100), System.currentTimeMillis());
            JsonNode d = json(detections.awaitOne(r -> forFrame(r, f), WAIT));
            assertThat(d.path("detections").findValuesAsText("label")).contains("person");
        }
    }

    @Test
    void aStaticSceneIsDescribedOnceAndItsOtherFramesRepeatTheDescription() {
        StandInControl.set(control(), "caption-server", "ok An astronaut in a white suit stands in front of a grey wall.");
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t = System.currentTimeMillis();
            JsonNode first = caption(captions, Scenes.send(STATIC, Scenes.person(100), t));
            assertThat(first.path("escalated").asBoolean()).isTrue();
            assertThat(first.path("escalation_reason").asText()).isEqualTo("first_frame");
            assertThat(first.path("backend").asText()).isEqualTo("caption-server");
            assertThat(first.path("described_frame_id").asText()).isEqualTo(first.path("frame_id").asText());
            for (int i = 1; i <= 4; i++) {
                JsonNode c = caption(captions, Scenes.send(STATIC, Scenes.person(100), t + i * 5000));
                assertThat(c.path("escalated").asBoolean()).as("frame %d of a static scene", i).isFalse();
                assertThat(c.path("escalation_reason").asText()).isEqualTo("static");
                assertThat(c.path("described_frame_id").asText()).isEqualTo(first.path("frame_id").asText());
                assertThat(c.path("text").asText())
                        .startsWith("An astronaut in a white suit stands in front of a grey wall.")
                        .contains("Now: A person is visible.");
                assertThat(c.path("backend").asText()).isEqualTo("onnx");
            }
        }
        assertThat(metric("sightline_caption_suppressed_total", STATIC, "static")).isEqualTo(4);
        assertThat(metric("sightline_caption_escalations_total", STATIC, "first_frame")).isEqualTo(1);
    }

    @Test
    void aClassAppearingOrLeavingEscalates() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t = System.currentTimeMillis();
            caption(captions, Scenes.send(APPEAR, Scenes.person(60), t));
            JsonNode cat = caption(captions, Scenes.send(APPEAR, Scenes.with(Scenes.person(60), "chelsea.png", 700, 250, 320), t + 1000));
            assertThat(cat.path("escalated").asBoolean()).isTrue();
            assertThat(cat.path("escalation_reason").asText()).isEqualTo("class_appeared");
            assertThat(cat.path("escalation_detail").asText()).isEqualTo("cat");
            JsonNode gone = caption(captions, Scenes.send(APPEAR, Scenes.person(60), t + 2000));
            assertThat(gone.path("escalation_reason").asText()).isEqualTo("class_left");
            assertThat(gone.path("escalation_detail").asText()).isEqualTo("cat");
        }
    }

    @Test
    void aCountChangeEscalates() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t = System.currentTimeMillis();
            caption(captions, Scenes.send(COUNT, Scenes.person(100), t));
            JsonNode two = caption(captions, Scenes.send(COUNT, Scenes.with(Scenes.person(100), "astronaut.png", 760, 200, 420), t + 1000));
            assertThat(two.path("escalated").asBoolean()).isTrue();
            assertThat(two.path("escalation_reason").asText()).isEqualTo("count_changed");
            assertThat(two.path("escalation_detail").asText()).isEqualTo("person 1 -> 2");
        }
    }

    @Test
    void materialMovementEscalatesAndAJitterDoesNot() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t = System.currentTimeMillis();
            caption(captions, Scenes.send(MOVE, Scenes.person(40), t));
            JsonNode jitter = caption(captions, Scenes.send(MOVE, Scenes.person(70), t + 1000));
            assertThat(jitter.path("escalated").asBoolean()).as("a 30 px shift").isFalse();
            JsonNode moved = caption(captions, Scenes.send(MOVE, Scenes.person(820), t + 2000));
            assertThat(moved.path("escalated").asBoolean()).isTrue();
            assertThat(moved.path("escalation_reason").asText()).isEqualTo("moved");
            assertThat(moved.path("escalation_detail").asText()).startsWith("person ");
        }
    }

    @Test
    void changedTextEscalatesAndTheSameTextDoesNot() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t = System.currentTimeMillis();
            caption(captions, Scenes.send(TEXT, Scenes.withText(Scenes.empty(), "Invoice 2041 due 12 May", "Total 450 EUR"), t));
            JsonNode same = caption(captions, Scenes.send(TEXT, Scenes.withText(Scenes.empty(), "Invoice 2041 due 12 May", "Total 450 EUR"), t + 1000));
            assertThat(same.path("escalated").asBoolean()).isFalse();
            JsonNode changed = caption(captions, Scenes.send(TEXT, Scenes.withText(Scenes.empty(), "Meeting room booked", "Friday at 3 pm"), t + 2000));
            assertThat(changed.path("escalated").asBoolean()).isTrue();
            assertThat(changed.path("escalation_reason").asText()).isEqualTo("text_changed");
        }
    }

    @Test
    void theKeepAliveEscalatesAStaticSceneAfterTenMinutes() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t = System.currentTimeMillis();
            caption(captions, Scenes.send(KEEP_ALIVE, Scenes.person(100), t));
            JsonNode nine = caption(captions, Scenes.send(KEEP_ALIVE, Scenes.person(100), t + 9 * MINUTE));
            assertThat(nine.path("escalated").asBoolean()).isFalse();
            JsonNode ten = caption(captions, Scenes.send(KEEP_ALIVE, Scenes.person(100), t + 10 * MINUTE));
            assertThat(ten.path("escalated").asBoolean()).isTrue();
            assertThat(ten.path("escalation_reason").asText()).isEqualTo("keep_alive");
        }
    }

    @Test
    void aRefreshRequestEscalatesTheNextFrameOfAStaticScene() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t = System.currentTimeMillis();
            caption(captions, Scenes.send(REFRESH, Scenes.person(100), t));
            assertThat(caption(captions, Scenes.send(REFRESH, Scenes.person(100), t + 1000)).path("escalated").asBoolean()).isFalse();
            // the request topic is read from its end: send until this replica has seen it
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                byte[] request = ("{\"schema\":1,\"camera\":\"" + REFRESH + "\",\"requested_by\":\"watch:job-7\",\"at\":"
                        + System.currentTimeMillis() + "}").getBytes(StandardCharsets.UTF_8);
                TestKafka.send(Topics.CAPTION_REFRESH, REFRESH, request, new RecordHeaders());
                await().atMost(Duration.ofSeconds(2)).until(() -> camera(REFRESH).path("refresh_requested_by").asText().equals("watch:job-7"));
            });
            JsonNode fresh = caption(captions, Scenes.send(REFRESH, Scenes.person(100), t + 2000));
            assertThat(fresh.path("escalated").asBoolean()).isTrue();
            assertThat(fresh.path("escalation_reason").asText()).isEqualTo("refresh");
            assertThat(fresh.path("escalation_detail").asText()).isEqualTo("watch:job-7");
            assertThat(caption(captions, Scenes.send(REFRESH, Scenes.person(100), t + 3000)).path("escalated").asBoolean())
                    .as("one request, one fresh description").isFalse();
        }
        assertThat(new CaptionRefreshRequested(1, REFRESH, "x", 1).camera()).isEqualTo(REFRESH);
    }

    @Test
    void anExhaustedBudgetDefersTheEscalationToTheNextWindowWhereTheNewestFrameGetsIt() {
        StandInControl.set(control(), "caption-server", "ok Described by the caption model.");
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            // a minute window that has just begun, in frame time
            long t = (System.currentTimeMillis() / MINUTE + 1) * MINUTE;
            BufferedImage one = Scenes.person(100);
            BufferedImage two = Scenes.with(Scenes.person(100), "astronaut.png", 760, 200, 420);
            JsonNode a = caption(captions, Scenes.send(BUDGET, one, t + 1000));
            JsonNode b = caption(captions, Scenes.send(BUDGET, two, t + 2000));
            assertThat(a.path("escalated").asBoolean()).isTrue();
            assertThat(b.path("escalated").asBoolean()).isTrue();
            // the third change in the same minute is over the camera's 2 calls per minute
            JsonNode c = caption(captions, Scenes.send(BUDGET, one, t + 3000));
            assertThat(c.path("escalated").asBoolean()).isFalse();
            assertThat(c.path("escalation_reason").asText()).isEqualTo("budget");
            assertThat(c.path("escalation_detail").asText()).startsWith("deferred count_changed person 2 -> 1");
            assertThat(c.path("described_frame_id").asText()).isEqualTo(b.path("frame_id").asText());
            assertThat(c.path("text").asText()).startsWith("Described by the caption model. Now: ");
            JsonNode state = camera(BUDGET);
            assertThat(state.path("deferred").asText()).startsWith("count_changed");
            assertThat(state.path("budget").path("per_minute").asInt()).isEqualTo(2);
            assertThat(state.path("budget").path("used_this_minute").asInt()).isEqualTo(2);
            assertThat(state.path("budget").path("minute_ends_at").asLong()).isEqualTo(t + MINUTE);
            JsonNode d = caption(captions, Scenes.send(BUDGET, one, t + 30_000));
            assertThat(d.path("escalation_reason").asText()).as("still the same minute").isEqualTo("budget");

            // the next window: the newest frame gets the deferred escalation
            JsonNode e = caption(captions, Scenes.send(BUDGET, one, t + MINUTE + 1000));
            assertThat(e.path("escalated").asBoolean()).isTrue();
            assertThat(e.path("escalation_reason").asText()).isEqualTo("count_changed");
            assertThat(camera(BUDGET).path("deferred").isNull()).isTrue();
            JsonNode f = caption(captions, Scenes.send(BUDGET, one, t + MINUTE + 2000));
            assertThat(f.path("escalation_reason").asText()).isEqualTo("static");
            assertThat(f.path("described_frame_id").asText()).isEqualTo(e.path("frame_id").asText());
        }
        assertThat(metric("sightline_caption_suppressed_total", BUDGET, "budget")).isEqualTo(2);
    }

    private static JsonNode caption(TopicReader captions, CapturedFrame frame) {
        return json(captions.awaitOne(r -> forFrame(r, frame), WAIT));
    }

    private static long escalatedCount(TopicReader captions, List<CapturedFrame> frames) {
        return frames.stream().map(f -> caption(captions, f)).filter(c -> c.path("escalated").asBoolean()).count();
    }

    private static JsonNode camera(String name) {
        for (JsonNode c : backends().path("escalation").path("cameras")) {
            if (c.path("camera").asText().equals(name)) {
                return c;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static double metric(String name, String camera, String reason) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith(name + "{") && l.contains("camera=\"" + camera + "\"") && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf('}') + 1).trim().split("\\s+")[0]))
                .sum();
    }
}
