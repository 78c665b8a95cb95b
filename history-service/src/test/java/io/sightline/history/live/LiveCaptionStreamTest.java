package io.sightline.history.live;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.event.CaptionProduced;
import io.sightline.history.support.EmbeddedPostgresResource;
import io.sightline.history.support.Records;
import io.sightline.history.support.SseStream;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live caption stream reads what was stored in the real PostgreSQL (LISTEN/NOTIFY from the insert
 * trigger), filters by camera, and resumes from Last-Event-ID with exactly what the client missed.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(EmbeddedPostgresResource.class)
class LiveCaptionStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/api/v1/history/captions/stream")
    URL stream;

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void storedCaptionsOfTheCameraArriveAndAReconnectResumesWhereItStopped() throws Exception {
        String camera = "live-" + UUID.randomUUID().toString().substring(0, 8);
        String other = camera + "-other";
        long at = System.currentTimeMillis();
        List<SseStream.Event> seen;
        String resumeFrom;
        try (SseStream live = SseStream.open(stream + "?camera=" + camera, null)) {
            CaptionProduced first = Records.caption(camera, at, "A person is standing at the front door.");
            Records.caption(other, at, "A car is parked in the driveway.");
            CaptionProduced second = Records.caption(camera, at + 1000, "The person holds a parcel.");

            await().atMost(WAIT).until(() -> live.captions().size() >= 2);
            seen = live.captions();
            assertThat(seen).extracting(e -> e.data().get("frame_id").asText()).containsExactly(first.frameId(), second.frameId());
            assertThat(seen).extracting(e -> e.data().get("camera").asText()).containsOnly(camera);
            assertThat(seen.get(0).data().get("text").asText()).isEqualTo("A person is standing at the front door.");
            assertThat(Long.parseLong(seen.get(1).id())).isGreaterThan(Long.parseLong(seen.get(0).id()));
            resumeFrom = seen.get(1).id();
        }

        // stored while the client was away
        CaptionProduced third = Records.caption(camera, at + 2000, "The parcel is on the mat.");
        CaptionProduced fourth = Records.caption(camera, at + 3000, "Nobody is at the door.");
        await().atMost(WAIT).until(() -> given().queryParam("camera", camera).get("/api/v1/history/captions")
                .jsonPath().getList("captions").size() == 4);

        try (SseStream resumed = SseStream.open(stream + "?camera=" + camera, resumeFrom)) {
            await().atMost(WAIT).until(() -> resumed.captions().size() >= 2);
            CaptionProduced fifth = Records.caption(camera, at + 4000, "A cat walks past.");
            await().atMost(WAIT).until(() -> resumed.captions().size() >= 3);
            assertThat(resumed.captions()).extracting(e -> e.data().get("frame_id").asText())
                    .containsExactly(third.frameId(), fourth.frameId(), fifth.frameId());
        }
    }

    @Test
    void aLastEventIdThatIsNotOneOfOursIsRefused() {
        given().header("Last-Event-ID", "yesterday").accept("text/event-stream").get("/api/v1/history/captions/stream")
                .then().statusCode(400);
        given().queryParam("camera", "bad camera!").accept("text/event-stream").get("/api/v1/history/captions/stream")
                .then().statusCode(400);
    }
}
