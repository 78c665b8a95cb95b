package io.sightline.gateway.captions;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.kafka.Topics;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class CaptionsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    private static void publish(String camera, String text, long timestamp) throws Exception {
        CaptionProduced caption = new CaptionProduced(CaptionProduced.SCHEMA, UUID.randomUUID().toString(), camera,
                timestamp - 50, timestamp, "onnx", "yolox-nano", text, 22, List.of());
        TestKafka.producer().send(new ProducerRecord<>(Topics.CAPTIONS, null, timestamp, camera, JSON.writeValueAsBytes(caption)))
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void historyIsReadFromHistoryServiceWithTheRangeInEpochMillisAndTheInternalToken() {
        StandInService history = GatewayTestResource.history;
        history.clear();
        String camera = "hist-" + UUID.randomUUID().toString().substring(0, 8);
        history.on("GET /api/v1/history/captions", r -> StandInService.Answer.json(200,
                "{\"captions\":[{\"schema\":1,\"frame_id\":\"f-2\",\"camera\":\"" + camera + "\",\"text\":\"caption number 2\"},"
                        + "{\"schema\":1,\"frame_id\":\"f-1\",\"camera\":\"" + camera + "\",\"text\":\"caption number 1\"}],"
                        + "\"count\":2,\"limit\":3,\"since\":1777593600000,\"until\":1777597200000,\"truncated\":false}"));

        given().auth().oauth2(VIEWER).queryParam("camera", camera).queryParam("since", "2026-05-01T00:00:00Z")
                .queryParam("until", 1777597200000L).queryParam("limit", 3).get("/api/v1/captions").then()
                .statusCode(200)
                .body("count", equalTo(2))
                .body("captions[0].text", equalTo("caption number 2"))
                .body("captions[1].frame_id", equalTo("f-1"));

        StandInService.Received call = history.received("GET", "/api/v1/history/captions").get(0);
        assertThat(call.query()).contains("camera=" + camera).contains("since=1777593600000").contains("until=1777597200000")
                .contains("limit=3");
        assertThat(call.header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
    }

    @Test
    void historyRefusesBadParametersClearly() {
        given().auth().oauth2(VIEWER).queryParam("limit", 501).get("/api/v1/captions").then()
                .statusCode(400).body("message", containsString("1 to 500"));
        given().auth().oauth2(VIEWER).queryParam("since", "yesterday").get("/api/v1/captions").then()
                .statusCode(400).body("message", containsString("ISO-8601"));
        given().auth().oauth2(VIEWER).queryParam("since", "2026-05-02T00:00:00Z").queryParam("until", "2026-05-01T00:00:00Z")
                .get("/api/v1/captions").then().statusCode(400).body("message", containsString("after"));
    }

    @Test
    void liveStreamDeliversANewlyPublishedCaptionOfTheRequestedCameraOnly() throws Exception {
        TestKafka.awaitTopic(Topics.CAPTIONS);
        String camera = "live-" + UUID.randomUUID().toString().substring(0, 8);
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + root.getPort() + "/api/v1/captions/stream?camera=" + camera))
                .header("Authorization", "Bearer " + VIEWER).header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (Exception e) {
                // stream closed by the test
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            // the live consumer starts at the latest offset: publish until one arrives (first ones may precede its assignment)
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500)).until(() -> {
                publish("not-" + camera, "someone else's caption", System.currentTimeMillis());
                publish(camera, "A person is standing at the door.", System.currentTimeMillis());
                return lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains("A person is standing at the door."));
            });
            assertThat(lines).anyMatch(l -> l.startsWith("event:") && l.contains("caption"));
            assertThat(lines).noneMatch(l -> l.contains("someone else's caption"));
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> l.contains("heartbeat")));
        } finally {
            response.body().close();
        }
    }
}
