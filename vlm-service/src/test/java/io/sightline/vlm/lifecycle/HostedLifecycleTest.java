package io.sightline.vlm.lifecycle;

import org.junit.jupiter.api.condition.EnabledIf;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import io.sightline.vlm.service.ModelRegistry;
import io.sightline.vlm.support.RealLlamaServerResource;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hosted-model lifecycle against the real llama-server (tiny random-weight vision model): lazy start,
 * shared start, idle stop with events, restart, external requested/stop events, vision from /props,
 * a model without mmproj refusing images, bad input, and a crash.
 */
@EnabledIf(value = "io.sightline.vlm.support.RealLlamaServerResource#available",
        disabledReason = "the real llama-server is not built: run ../shared/tools/llama-server/setup.sh")
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(RealLlamaServerResource.class)
class HostedLifecycleTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/v1/chat/completions")
    URL chat;

    @Inject
    ModelRegistry models;

    static String body(String model, boolean image, int maxTokens) {
        String content = image
                ? "[{\"type\":\"text\",\"text\":\"What is in the picture?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/jpeg;base64,"
                + Base64.getEncoder().encodeToString(TestImages.encodeJpeg(TestImages.scene(96, 64, java.awt.Color.BLUE, 20, 10), 0.8f)) + "\"}}]"
                : "\"Say something.\"";
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":" + content + "}]}";
    }

    static CompletableFuture<HttpResponse<String>> post(URL url, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode model(String id) {
        return JSON.valueToTree(given().get("/api/v1/models/" + id).then().statusCode(200).extract().as(java.util.Map.class));
    }

    HostedModel hosted(String id) {
        return (HostedModel) models.model(id).orElseThrow();
    }

    long pid(String id) {
        return ((ProcessServerLauncher) hosted(id).launcher()).pid().orElseThrow();
    }

    static List<String> events(TopicReader lifecycle, String backend, int count) {
        return lifecycle.await(r -> backend.equals(r.key()), count, Duration.ofSeconds(40)).stream().limit(count)
                .map(r -> json(r.value()).path("event").asText()).toList();
    }

    static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void coldModels() {
        await().atMost(Duration.ofSeconds(30)).until(() -> model("tiny").path("state").asText().matches("stopped|failed")
                && model("blind").path("state").asText().matches("stopped|failed"));
    }

    @Test
    void concurrentRequestsShareOneLazyStartAndIdleStopPublishesStopThenStopped() throws Exception {
        assertThat(model("tiny").path("state").asText()).isEqualTo("stopped");
        try (TopicReader lifecycle = TopicReader.fromNow(Topics.VLM_LIFECYCLE)) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(post(chat, body("tiny", true, 8)));
            }
            for (var call : calls) {
                HttpResponse<String> response = call.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(JSON.readTree(response.body()).path("choices").path(0).path("message").path("content").isTextual()).isTrue();
            }
            long pid = pid("tiny");
            JsonNode ready = model("tiny");
            assertThat(ready.path("state").asText()).isEqualTo("ready");
            assertThat(ready.path("vision").asBoolean()).as("from /props modalities.vision").isTrue();
            assertThat(ready.path("modalities").toString()).contains("image");

            // idle timeout is 3 s in the test configuration
            assertThat(events(lifecycle, "tiny", 5)).containsExactly(LifecycleEvent.REQUESTED, LifecycleEvent.STARTING,
                    LifecycleEvent.READY, LifecycleEvent.STOP, LifecycleEvent.STOPPED);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("stopped is reported only once the process exited").isFalse();
            assertThat(model("tiny").path("state").asText()).isEqualTo("stopped");

            // and the next request starts it again, as a new process
            assertThat(post(chat, body("tiny", false, 4)).get().statusCode()).isEqualTo(200);
            assertThat(pid("tiny")).isNotEqualTo(pid);
        }
    }

    @Test
    void requestedEventStartsTheModelAndAnExternalStopEventStopsIt() {
        try (TopicReader lifecycle = TopicReader.fromNow(Topics.VLM_LIFECYCLE)) {
            publish(LifecycleEvent.REQUESTED, "tiny");
            await().atMost(Duration.ofSeconds(30)).until(() -> model("tiny").path("state").asText().equals("ready"));
            long pid = pid("tiny");
            publish(LifecycleEvent.STOP, "tiny");
            publish(LifecycleEvent.STOP, "tiny"); // a duplicate request joins the stop in progress
            await().atMost(Duration.ofSeconds(20)).until(() -> model("tiny").path("state").asText().equals("stopped"));
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            List<String> ours = lifecycle.await(r -> "tiny".equals(r.key()) && json(r.value()).path("instance").asText()
                    .startsWith("vlm-service@"), 5, Duration.ofSeconds(20)).stream().limit(5)
                    .map(r -> json(r.value()).path("event").asText()).toList();
            assertThat(ours).containsExactly(LifecycleEvent.REQUESTED, LifecycleEvent.STARTING, LifecycleEvent.READY,
                    LifecycleEvent.STOP, LifecycleEvent.STOPPED);
        }
    }

    @Test
    void aRequestArrivingWhileTheModelStopsWaitsForTheStopAndStartsItAgain() throws Exception {
        assertThat(post(chat, body("tiny", false, 4)).get().statusCode()).isEqualTo(200);
        long first = pid("tiny");
        var stopping = hosted("tiny").stop("test stop");
        var during = post(chat, body("tiny", false, 4));
        stopping.await().atMost(Duration.ofSeconds(20));
        HttpResponse<String> response = during.get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(pid("tiny")).as("a new process after the old one exited").isNotEqualTo(first);
        assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aModelWithoutMmprojIsRefusedImagesWith400NamingItButAnswersText() throws Exception {
        HttpResponse<String> text = post(chat, body("blind", false, 4)).get();
        assertThat(text.statusCode()).as(text.body()).isEqualTo(200);
        assertThat(model("blind").path("vision").asBoolean(true)).as("from /props").isFalse();

        HttpResponse<String> image = post(chat, body("blind", true, 4)).get();
        assertThat(image.statusCode()).isEqualTo(400);
        assertThat(image.body()).contains("blind").contains("cannot see");
    }

    @Test
    void badInputIsAnsweredBeforeAnyServerStarts() throws Exception {
        HttpResponse<String> unknown = post(chat, body("no-such-model", false, 4)).get();
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").path("models").toString()).contains("tiny", "blind");

        String garbage = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"data:image/jpeg;base64," + Base64.getEncoder().encodeToString("not an image".getBytes())
                + "\"}}]}]}";
        HttpResponse<String> undecodable = post(chat, garbage).get();
        assertThat(undecodable.statusCode()).isEqualTo(400);
        assertThat(undecodable.body()).contains("could not be decoded");
        assertThat(model("tiny").path("state").asText()).as("never reached a server").isEqualTo("stopped");
    }

    @Test
    void aCrashedServerAnswers503WithRetryAfterThenIsRestartedOnALaterRequest() throws Exception {
        assertThat(post(chat, body("tiny", false, 4)).get().statusCode()).isEqualTo(200);
        long pid = pid("tiny");
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

        HttpResponse<String> crashed = post(chat, body("tiny", false, 4)).get();
        assertThat(crashed.statusCode()).as(crashed.body()).isIn(502, 503);
        assertThat(crashed.headers().firstValue("Retry-After")).isPresent();
        assertThat(model("tiny").path("state").asText()).isEqualTo("failed");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> post(chat, body("tiny", false, 4)).get().statusCode() == 200);
        assertThat(pid("tiny")).isNotEqualTo(pid);
        assertThat(model("tiny").path("state").asText()).isEqualTo("ready");
    }

    static void publish(String event, String backend) {
        LifecycleEvent payload = new LifecycleEvent(LifecycleEvent.SCHEMA, UUID.randomUUID().toString(), event, backend,
                "", "test", "caption-service@test", System.currentTimeMillis());
        try {
            TestKafka.send(Topics.VLM_LIFECYCLE, backend, JSON.writeValueAsString(payload).getBytes(StandardCharsets.UTF_8),
                    new RecordHeaders());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
