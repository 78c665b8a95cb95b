package io.sightline.vlm.rest;

import org.junit.jupiter.api.condition.EnabledIf;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.vlm.Priority;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.vlm.support.RealLlamaServerResource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The one priority queue through the real service and the real llama-server ({@code tiny}, one slot):
 * interactive overtakes a saturated batch queue, a batch flood (cap 4) never gets interactive refused,
 * and a caller entitled to batch cannot claim interactive.
 */
@EnabledIf(value = "io.sightline.vlm.support.RealLlamaServerResource#available",
        disabledReason = "the real llama-server is not built: run ../shared/tools/llama-server/setup.sh")
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(RealLlamaServerResource.class)
class PriorityThroughServiceTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/v1/chat/completions")
    URL chat;

    CompletableFuture<HttpResponse<String>> post(String cls, String entitlement, int maxTokens) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(chat.toString())).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header(Priority.HEADER, cls)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"max_tokens\":" + maxTokens
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Count.\"}]}"));
        if (entitlement != null) {
            request.header(Priority.ENTITLEMENT_HEADER, entitlement);
        }
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static com.fasterxml.jackson.databind.JsonNode tinyQueue() throws Exception {
        for (var node : new com.fasterxml.jackson.databind.ObjectMapper().readTree(given().get("/api/v1/queue").then().statusCode(200)
                .extract().asString())) {
            if (node.path("model").asText().equals("tiny")) {
                return node;
            }
        }
        throw new AssertionError("no queue for tiny");
    }

    void warm() throws Exception {
        assertThat(post("interactive", null, 4).get().statusCode()).isEqualTo(200);
    }

    @Test
    void interactiveOvertakesASaturatedBatchQueue() throws Exception {
        warm();
        ConcurrentLinkedQueue<String> finished = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            batch.add(post("batch", null, 450).whenComplete((r, e) -> finished.add("batch-" + n)));
        }
        // once the first batch request is answered, the other five (sent with it) are in flight or queued
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> !finished.isEmpty());
        var interactive = post("interactive", null, 450).whenComplete((r, e) -> finished.add("interactive"));

        assertThat(interactive.get().statusCode()).isEqualTo(200);
        for (var call : batch) {
            assertThat(call.get().statusCode()).isEqualTo(200);
        }
        List<String> order = List.copyOf(finished);
        assertThat(order.indexOf("interactive")).as("waits at most for the one batch request in flight: " + order)
                .isLessThanOrEqualTo(2);
        var queue = tinyQueue();
        assertThat(queue.path("classes").path("interactive").path("served").asLong()).isPositive();
        assertThat(queue.path("classes").path("interactive").path("wait_p99_ms").asDouble()).as(queue.toString())
                .isLessThan(queue.path("classes").path("batch").path("wait_p99_ms").asDouble());
    }

    @Test
    void aBatchFloodIsRefusedWith429ButInteractiveIsStillServed() throws Exception {
        warm();
        List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            flood.add(post("batch", null, 200));
        }
        var interactive = post("interactive", null, 8);
        assertThat(interactive.get().statusCode()).isEqualTo(200);
        List<Integer> statuses = new ArrayList<>();
        for (var call : flood) {
            HttpResponse<String> response = call.get();
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
            }
        }
        assertThat(statuses).contains(429).contains(200).containsOnly(200, 429);
    }

    @Test
    void aCallerEntitledToBatchCannotClaimInteractive() throws Exception {
        HttpResponse<String> claimed = post("interactive", "batch", 4).get();
        assertThat(claimed.statusCode()).isEqualTo(200);
        assertThat(claimed.headers().firstValue(Priority.HEADER)).hasValue("batch");
        HttpResponse<String> lowered = post("batch", "interactive", 4).get();
        assertThat(lowered.headers().firstValue(Priority.HEADER)).as("a request may lower its class").hasValue("batch");
    }
}
