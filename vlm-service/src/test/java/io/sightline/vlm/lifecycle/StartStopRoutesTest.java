package io.sightline.vlm.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TopicReader;
import io.sightline.vlm.service.ModelRegistry;
import io.sightline.vlm.support.StartStopResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/v1/models/{id}/start|stop} against the real llama-server (tiny model): start readies the model
 * without any chat request and answers at once, concurrent starts share one process, stop publishes
 * {@code vlm_caption.stop}/{@code stopped} with the process gone, start after stop, stop while a request is in
 * flight (an answer or a 503, never a hang), unknown id 404, remote model 409, the internal token required.
 */
@EnabledIf(value = "io.sightline.vlm.support.RealLlamaServerResource#available",
        disabledReason = "the real llama-server is not built: run ../shared/tools/llama-server/setup.sh")
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(StartStopResource.class)
class StartStopRoutesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String AUTH = "Bearer " + StartStopResource.TOKEN;

    @TestHTTPResource("/v1/chat/completions")
    URL chat;

    @Inject
    ModelRegistry models;

    static Response post(String path) {
        return given().header("Authorization", AUTH).post(path);
    }

    static JsonNode model(String id) {
        return JSON.valueToTree(given().header("Authorization", AUTH).get("/api/v1/models/" + id).then().statusCode(200)
                .extract().as(java.util.Map.class));
    }

    static String state(String id) {
        return model(id).path("state").asText();
    }

    HostedModel hosted(String id) {
        return (HostedModel) models.model(id).orElseThrow();
    }

    long pid(String id) {
        return ((ProcessServerLauncher) hosted(id).launcher()).pid().orElseThrow();
    }

    /** llama-server processes of this JVM serving the model's port. */
    long serversOf(String id) {
        String port = ":" + hosted(id).baseUrl().getPort() + "/";
        String portArg = "--port " + hosted(id).baseUrl().getPort();
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("llama-server") && (c.contains(portArg) || c.contains(port))).count();
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static List<String> ourEvents(TopicReader lifecycle, String model, int count) {
        return lifecycle.await(r -> model.equals(r.key()) && json(r.value()).path("instance").asText().startsWith("vlm-service@"),
                count, Duration.ofSeconds(40)).stream().limit(count).map(r -> json(r.value()).path("event").asText()).toList();
    }

    static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void stopped() {
        post("/api/v1/models/tiny/stop").then().statusCode(org.hamcrest.Matchers.oneOf(200, 202));
        await().atMost(Duration.ofSeconds(30)).until(() -> state("tiny").equals("stopped"));
    }

    @Test
    void concurrentStartsShareOneProcessAndTheModelIsReadyWithoutAnyChatRequestThenStopStopsIt() throws Exception {
        try (TopicReader lifecycle = TopicReader.fromNow(Topics.VLM_LIFECYCLE)) {
            List<CompletableFuture<Response>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(CompletableFuture.supplyAsync(() -> post("/api/v1/models/tiny/start")));
            }
            for (CompletableFuture<Response> start : starts) {
                Response response = start.get(10, TimeUnit.SECONDS); // answered at once, not when the model is ready
                assertThat(response.statusCode()).as(response.asString()).isIn(200, 202);
                assertThat(response.jsonPath().getString("id")).isEqualTo("tiny");
                assertThat(response.jsonPath().getString("state")).isIn("starting", "downloading", "ready");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> state("tiny").equals("ready"));
            long pid = pid("tiny");
            assertThat(alive(pid)).isTrue();
            assertThat(serversOf("tiny")).as("one llama-server for four start calls").isEqualTo(1);
            assertThat(model("tiny").path("vision").asBoolean()).as("read from /props on start").isTrue();
            JsonNode queue = JSON.readTree(given().header("Authorization", AUTH).get("/api/v1/queue").asString());
            queue.forEach(m -> {
                if (m.path("model").asText().equals("tiny")) {
                    m.path("classes").forEach(c -> assertThat(c.path("served").asLong()).as("no chat request").isZero());
                }
            });
            assertThat(post("/api/v1/models/tiny/start").statusCode()).as("already ready").isEqualTo(200);

            Response stop = post("/api/v1/models/tiny/stop");
            assertThat(stop.statusCode()).as(stop.asString()).isEqualTo(202);
            assertThat(stop.jsonPath().getString("state")).isEqualTo("stopping");
            assertThat(ourEvents(lifecycle, "tiny", 5)).containsExactly(LifecycleEvent.REQUESTED, LifecycleEvent.STARTING,
                    LifecycleEvent.READY, LifecycleEvent.STOP, LifecycleEvent.STOPPED);
            assertThat(alive(pid)).as("stopped is published once the process is gone").isFalse();
            assertThat(state("tiny")).isEqualTo("stopped");

            Response again = post("/api/v1/models/tiny/stop");
            assertThat(again.statusCode()).as("a stop of a stopped model does nothing").isEqualTo(200);
            assertThat(again.jsonPath().getString("state")).isEqualTo("stopped");

            // start after stop: a new process
            assertThat(post("/api/v1/models/tiny/start").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> state("tiny").equals("ready"));
            assertThat(pid("tiny")).isNotEqualTo(pid);
            assertThat(serversOf("tiny")).isEqualTo(1);
        }
    }

    @Test
    void aStopWhileARequestIsInFlightAnswersItOrGivesA503WithRetryAfterNeverAHang() throws Exception {
        post("/api/v1/models/tiny/start").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> state("tiny").equals("ready"));
        long pid = pid("tiny");
        String longAnswer = "{\"model\":\"tiny\",\"max_tokens\":400,\"ignore_eos\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell a long story.\"}]}";
        CompletableFuture<HttpResponse<String>> inFlight = HostedLifecycleTest.post(chat, longAnswer, "Authorization", AUTH);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> model("tiny").path("in_flight").asInt() == 1 || inFlight.isDone());
        assertThat(post("/api/v1/models/tiny/stop").statusCode()).isIn(200, 202);

        HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
        System.out.println("StartStopRoutesTest: the request in flight during the stop was answered " + answer.statusCode()
                + " " + answer.headers().firstValue("Retry-After").map(r -> "Retry-After " + r).orElse(""));
        assertThat(answer.statusCode()).as(answer.body()).isIn(200, 503);
        if (answer.statusCode() == 503) {
            assertThat(answer.headers().firstValue("Retry-After")).isPresent();
            assertThat(answer.body()).contains("stopped while this request was in flight");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> state("tiny").equals("stopped"));
        assertThat(alive(pid)).isFalse();
    }

    @Test
    void unknownModelsAre404WithTheListAndRemoteModels409() {
        for (String action : List.of("start", "stop")) {
            Response unknown = post("/api/v1/models/no-such-model/" + action);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.jsonPath().getList("error.models", String.class)).contains("tiny", "blind", "elsewhere");

            Response remote = post("/api/v1/models/elsewhere/" + action);
            assertThat(remote.statusCode()).as(remote.asString()).isEqualTo(409);
            assertThat(remote.jsonPath().getString("error.message")).contains("elsewhere").contains("remote")
                    .contains("cannot be started or stopped");
        }
        assertThat(state("tiny")).isEqualTo("stopped");
    }

    @Test
    void theRoutesNeedTheInternalToken() {
        assertThat(given().post("/api/v1/models/tiny/start").statusCode()).isEqualTo(401);
        assertThat(given().header("Authorization", "Bearer wrong").post("/api/v1/models/tiny/stop").statusCode()).isEqualTo(401);
        assertThat(state("tiny")).as("nothing started").isEqualTo("stopped");
    }
}
