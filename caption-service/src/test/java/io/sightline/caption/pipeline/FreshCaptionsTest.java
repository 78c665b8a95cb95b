package io.sightline.caption.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.caption.support.CaptionTestResource;
import io.sightline.caption.support.StandInControl;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static io.sightline.caption.support.CaptionTests.allHealthy;
import static io.sightline.caption.support.CaptionTests.astronaut;
import static io.sightline.caption.support.CaptionTests.control;
import static io.sightline.caption.support.CaptionTests.forFrame;
import static io.sightline.caption.support.CaptionTests.json;
import static io.sightline.caption.support.CaptionTests.sendFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Captions stay fresh when the backend is slower than the camera; nothing is lost on the way. */
@QuarkusTest
@WithTestResource(CaptionTestResource.class)
class FreshCaptionsTest {

    private static final long BACKEND_MS = 600;

    @BeforeEach
    void healthy() {
        allHealthy();
    }

    @AfterEach
    void restore() {
        allHealthy();
    }

    @Test
    void slowBackendAndFastCameraSkipStaleFramesKeepLagBoundedAndCommitEveryOffset() throws Exception {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            // warm the caption server up so start time does not count as lag
            CapturedFrame warm = sendFrame("fresh-cam");
            captions.awaitOne(r -> forFrame(r, warm), Duration.ofSeconds(45));
            StandInControl.set(control(), "caption-server", "delay " + BACKEND_MS);
            double skippedBefore = skipped("fresh-cam");

            int total = 40;
            List<CapturedFrame> sent = java.util.Collections.synchronizedList(new ArrayList<>());
            ScheduledExecutorService camera = Executors.newSingleThreadScheduledExecutor();
            try {
                // 20 frames per second against a backend taking 600 ms per frame
                camera.scheduleAtFixedRate(() -> {
                    if (sent.size() < total) {
                        sent.add(sendFrame("fresh-cam"));
                    }
                }, 0, 50, TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> sent.size() >= total);
            } finally {
                camera.shutdownNow();
            }
            CapturedFrame last = sent.get(total - 1);
            captions.awaitOne(r -> forFrame(r, last), Duration.ofSeconds(30));
            List<JsonNode> produced = captions.drain(Duration.ofMillis(300)).stream()
                    .map(r -> json(r))
                    .filter(c -> c.path("camera").asText().equals("fresh-cam"))
                    .filter(c -> sent.stream().anyMatch(f -> f.frameId().toString().equals(c.path("frame_id").asText())))
                    .toList();

            // every frame is either captioned or counted as skipped: nothing vanished
            double skippedNow = skipped("fresh-cam") - skippedBefore;
            assertThat(produced.size() + (long) skippedNow).isEqualTo(total);
            assertThat(produced.size()).as("captions while the camera sent 40 frames in 2 s").isBetween(2, 10);
            assertThat(skippedNow).isGreaterThanOrEqualTo(30);
            // lag: one frame in flight plus one waiting is the most a caption can be behind
            for (JsonNode c : produced) {
                long lag = c.path("captioned_at").asLong() - c.path("captured_at").asLong();
                assertThat(lag).as("lag of caption %s", c.path("frame_id").asText()).isLessThan(3 * BACKEND_MS + 1000);
                assertThat(c.path("backend").asText()).isEqualTo("caption-server");
            }
            assertThat(produced.get(produced.size() - 1).path("frame_id").asText())
                    .as("the newest frame is always captioned").isEqualTo(last.frameId().toString());

            // skipped frames are acknowledged too, so the committed offset reaches the end of the partition
            awaitAllFramesCommitted();
        }
    }

    @Test
    void camerasAreDescribedIndependentlySoABusyCameraDoesNotDelayAnother() {
        StandInControl.set(control(), "caption-server", "delay 300");
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            List<CapturedFrame> frames = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                frames.add(sendFrame("busy-cam"));
            }
            CapturedFrame quiet = sendFrame("quiet-cam");
            captions.awaitOne(r -> forFrame(r, quiet), Duration.ofSeconds(45));
            captions.awaitOne(r -> forFrame(r, frames.get(4)), Duration.ofSeconds(45));
            List<String> order = captions.drain(Duration.ofMillis(200)).stream().map(r -> json(r).path("frame_id").asText())
                    .toList();
            // the quiet camera's only frame is served before the busy camera's newest one (round robin, not FIFO)
            assertThat(order.indexOf(quiet.frameId().toString())).isLessThan(order.indexOf(frames.get(4).frameId().toString()));
        }
    }

    private static double skipped(String camera) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("sightline_frames_skipped_total{") && l.contains("camera=\"" + camera + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf('}') + 1).trim().split("\\s+")[0]))
                .sum();
    }

    private static void awaitAllFramesCommitted() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("caption-service")
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = TestKafka.awaitTopic(Topics.FRAMES).stream()
                        .collect(Collectors.toMap(p -> new TopicPartition(Topics.FRAMES, p.partition()), p -> OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get();
                ends.forEach((tp, end) -> {
                    if (end.offset() > 0) {
                        assertThat(committed.get(tp)).as("committed offset of %s", tp).isNotNull();
                        assertThat(committed.get(tp).offset()).as("committed offset of %s", tp).isEqualTo(end.offset());
                    }
                });
            });
        }
    }
}
