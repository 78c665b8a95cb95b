package io.sightline.gateway.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.OPERATOR;
import static io.sightline.gateway.support.GatewayTestResource.capture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** The push route: streamed to capture-service, exact byte limit for chunked bodies, per-camera rate limit. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class FramePushRouteTest {

    @TestHTTPResource("/")
    URI gateway;

    private String camera() {
        String camera = "push-" + UUID.randomUUID().toString().substring(0, 8);
        capture.onJson("POST /api/v1/frames/" + camera, 202, "{\"frame_id\":\"f-" + camera + "\"}");
        return camera;
    }

    @Test
    void chunkedBodyIsStreamedToCaptureServiceUnchanged() throws Exception {
        byte[] png = Files.readAllBytes(TestImages.image("astronaut.png"));
        String camera = camera();

        HttpResponse<String> response = chunkedPush(camera, png);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).contains("f-" + camera);
        StandInService.Received push = capture.received("POST", "/api/v1/frames/" + camera).get(0);
        assertThat(push.body()).isEqualTo(png);
        assertThat(push.header("Content-Type")).startsWith("image/png");
        assertThat(push.header("X-Source")).isEqualTo("screen");
        assertThat(push.header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
        assertThat(push.header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    }

    @Test
    void chunkedBodyOverTheFrameLimitIsRefusedWith413() throws Exception {
        String camera = camera();
        byte[] tooLarge = new byte[10 * 1024 * 1024 + 1];
        tooLarge[0] = (byte) 0xFF;
        tooLarge[1] = (byte) 0xD8;

        HttpResponse<String> response = chunkedPush(camera, tooLarge);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("payload_too_large").contains("10485760");
        assertThat(capture.received("POST", "/api/v1/frames/" + camera))
                .allSatisfy(r -> assertThat(r.body().length).isLessThan(tooLarge.length));
    }

    @Test
    void aSlowUplinkIsNotCutOffWhileItsBytesFlowButASilentCaptureServiceGets504() throws Exception {
        byte[] jpeg = TestImages.jpeg("coffee.png").bytes();
        // 8 pieces 500 ms apart: 4 s in all, longer than the 3 s downstream timeout, never 3 s without a byte
        String slow = camera();
        HttpResponse<String> paced = push(slow, () -> new PacedStream(jpeg, 8, 500));
        assertThat(paced.statusCode()).isEqualTo(202);
        assertThat(capture.received("POST", "/api/v1/frames/" + slow).get(0).body()).isEqualTo(jpeg);

        // the whole body at once, then capture-service says nothing: 504 about 3 s after the last byte
        String silent = "push-silent-" + UUID.randomUUID().toString().substring(0, 8);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        capture.on("POST /api/v1/frames/" + silent, r -> {
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return StandInService.Answer.json(202, "{\"frame_id\":\"late\"}");
        });
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> timedOut = push(silent, () -> new ByteArrayInputStream(jpeg));
            assertThat(timedOut.statusCode()).isEqualTo(504);
            assertThat(timedOut.body()).contains("capture-service").contains("3000 ms");
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isLessThan(java.time.Duration.ofSeconds(20));
        } finally {
            release.countDown();
        }
    }

    /** A body that arrives in {@code pieces} parts, {@code gapMs} apart: a slow uplink. */
    private static final class PacedStream extends java.io.InputStream {
        private final byte[] body;
        private final int piece;
        private final long gapMs;
        private int at;

        PacedStream(byte[] body, int pieces, long gapMs) {
            this.body = body;
            this.piece = (body.length + pieces - 1) / pieces;
            this.gapMs = gapMs;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= body.length) {
                return -1;
            }
            if (at > 0 && at % piece == 0) {
                try {
                    Thread.sleep(gapMs); // the uplink's pace, not a wait for a condition
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int n = Math.min(len, Math.min(body.length - at, piece - at % piece));
            System.arraycopy(body, at, b, off, n);
            at += n;
            return n;
        }
    }

    private HttpResponse<String> push(String camera, java.util.function.Supplier<java.io.InputStream> body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/api/v1/frames/" + camera))
                .header("Authorization", "Bearer " + OPERATOR).header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofInputStream(body))
                .build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachCameraIsLimitedToItsPushRateWithRetryAfter() {
        byte[] jpeg = TestImages.jpeg("coffee.png").bytes();
        String busy = camera();
        for (int i = 0; i < 5; i++) {
            push(busy, jpeg).then().statusCode(202);
        }
        io.restassured.response.Response limited = push(busy, jpeg);
        limited.then().statusCode(429).body("error", equalTo("rate_limited"));
        // one frame per 5 s: the wait is what is left of those 5 s, rounded up
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 5);
        assertThat(capture.received("POST", "/api/v1/frames/" + busy)).hasSize(5);
        // another camera of the same key is not held back
        push(camera(), jpeg).then().statusCode(202);
    }

    @Test
    void pushesAreNotCountedAgainstThePerKeyRequestLimit() {
        byte[] jpeg = TestImages.jpeg("coffee.png").bytes();
        // 45 pushes in a row: over the key's burst of 30, within each camera's burst of 5
        for (int c = 0; c < 9; c++) {
            String camera = camera();
            for (int i = 0; i < 5; i++) {
                push(camera, jpeg).then().statusCode(202);
            }
        }
    }

    @Test
    void wrongContentTypeIsRefusedBeforeAnythingIsSent() {
        String camera = camera();
        given().auth().oauth2(OPERATOR).contentType("image/gif").body(new byte[] {1, 2, 3})
                .post("/api/v1/frames/" + camera).then().statusCode(415).body("error", equalTo("unsupported_media_type"));
        given().auth().oauth2(OPERATOR).contentType("image/jpeg").body(new byte[0])
                .post("/api/v1/frames/" + camera).then().statusCode(400).body("error", equalTo("bad_request"));
        assertThat(capture.received("POST", "/api/v1/frames/" + camera)).isEmpty();
    }

    @Test
    void pushRouteIsStillInTheOpenApiDocument() {
        given().get("/q/openapi").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("/api/v1/frames/{camera}"))
                .body(org.hamcrest.Matchers.containsString("per-camera-fps"));
    }

    private static io.restassured.response.Response push(String camera, byte[] body) {
        return given().auth().oauth2(OPERATOR).contentType("image/jpeg").body(body).post("/api/v1/frames/" + camera);
    }

    private HttpResponse<String> chunkedPush(String camera, byte[] body) throws Exception {
        // an InputStream publisher has no known length, so the JDK client sends Transfer-Encoding: chunked
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/api/v1/frames/" + camera))
                .header("Authorization", "Bearer " + OPERATOR)
                .header("Content-Type", body[0] == (byte) 0x89 ? "image/png" : "image/jpeg")
                .header("X-Source", "screen")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
