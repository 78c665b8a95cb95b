package io.sightline.gateway.openai;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.StandInVlmServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sightline.gateway.support.GatewayTestResource.OPENAI;
import static io.sightline.gateway.support.GatewayTestResource.OPENAI_BATCH;
import static io.sightline.gateway.support.GatewayTestResource.vlm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The VLM has one slot (max-concurrent=1 in tests) and a fixed service time. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class PriorityQueueTest {

    private static final long SERVICE_MS = 400;

    @TestHTTPResource("/v1/chat/completions")
    URL endpoint;

    private HttpRequest request(String key, String text, String priority) {
        return HttpRequest.newBuilder(URI.create(endpoint + "?priority=" + priority))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}"))
                .build();
    }

    @Test
    void interactiveRequestOvertakesASaturatingBatchLoadAndBatchStillCompletes() throws Exception {
        vlm.clear();
        vlm.respond(r -> StandInVlmServer.Reply.delayed("ok " + r.text().strip(), SERVICE_MS));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<String>>> low = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            low.add(http.sendAsync(request(OPENAI_BATCH, "LOW-" + i, "10"), HttpResponse.BodyHandlers.ofString()));
        }
        // saturated: one LOW in service, the rest waiting in the gateway's queue
        await().atMost(Duration.ofSeconds(30)).until(() -> vlm.requests().size() >= 1);
        Instant highSent = Instant.now();
        HttpResponse<String> high = http.send(request(OPENAI, "HIGH", "1"), HttpResponse.BodyHandlers.ofString());
        assertThat(high.statusCode()).isEqualTo(200);
        assertThat(high.body()).contains("ok HIGH");

        List<String> order = vlm.requests().stream().map(r -> r.text().strip()).toList();
        int highAt = order.indexOf("HIGH");
        List<String> dispatchedAfterHighWasSent = vlm.requests().stream()
                .filter(r -> !r.at().isBefore(highSent)).map(r -> r.text().strip()).toList();
        // at most the LOW request whose slot was being handed over at that moment may go first
        assertThat(dispatchedAfterHighWasSent.indexOf("HIGH")).as("dispatch order after HIGH arrived: %s", order).isLessThanOrEqualTo(1);
        Instant highReceived = vlm.requests().get(highAt).at();
        long queueWaitMs = Duration.between(highSent, highReceived).toMillis();
        System.out.printf("HIGH queue wait %d ms with service time %d ms; dispatch order %s%n", queueWaitMs, SERVICE_MS, order);
        assertThat(queueWaitMs).as("HIGH waits about one service time at most").isLessThan(2 * SERVICE_MS + 1000);

        for (CompletableFuture<HttpResponse<String>> f : low) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        assertThat(vlm.maxConcurrentRequests()).isEqualTo(1);
    }
}
