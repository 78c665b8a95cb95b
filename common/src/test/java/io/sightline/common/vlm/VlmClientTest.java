package io.sightline.common.vlm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sightline.common.vlm.ScriptedVlmServer.Answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class VlmClientTest {

    private static Vertx vertx;
    private ScriptedVlmServer server;
    private VertxVlmClients clients;
    private SimpleMeterRegistry registry;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedVlmServer(vertx);
        registry = new SimpleMeterRegistry();
        OpenTelemetry propagating = OpenTelemetry.propagating(ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
        clients = new VertxVlmClients(vertx, registry, propagating);
    }

    @AfterEach
    void stop() throws Exception {
        clients.close();
        server.close();
    }

    private VlmClient client(int maxConcurrent, int maxQueued, Duration timeout) {
        return client(maxConcurrent, maxQueued, timeout, VlmClientPolicy.defaults());
    }

    private VlmClient client(int maxConcurrent, int maxQueued, Duration timeout, VlmClientPolicy policy) {
        VlmEndpoint endpoint = VlmEndpoint.of("test", server.baseUrl(), "scripted-vlm")
                .withSlots(maxConcurrent, maxQueued).withTimeout(timeout).withApiKey(Optional.of("sk-test-secret"));
        return clients.forEndpoint(endpoint, policy);
    }

    private static ChatRequest ask(String text, ContentPart.Image... images) {
        return ChatRequest.of(List.of(ChatMessage.system("You describe camera frames."), ChatMessage.user(text, images)), 100, 0.2);
    }

    private static byte[] jpeg(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    private static VlmException failure(Runnable call) {
        try {
            call.run();
        } catch (VlmException e) {
            return e;
        }
        throw new AssertionError("the call did not fail");
    }

    @Test
    void sendsTextAndAnImageAsADecodableDataUriWithBearerTokenAndTraceContext() throws Exception {
        byte[] frame = jpeg(64, 48);
        VlmClient client = client(2, 4, Duration.ofSeconds(5));
        SpanContext parent = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault());

        ChatResult result;
        try (Scope ignored = Context.root().with(Span.wrap(parent)).makeCurrent()) {
            result = client.chat(ask("How many people?", new ContentPart.Image("image/jpeg", frame)), Priority.INTERACTIVE)
                    .await().atMost(Duration.ofSeconds(5));
        }

        assertThat(result.content()).isEqualTo("a scripted answer");
        assertThat(result.model()).isEqualTo("scripted-vlm");
        assertThat(result.finishReason()).isEqualTo("stop");
        ScriptedVlmServer.Received received = server.chats().get(0);
        assertThat(received.header("Authorization")).isEqualTo("Bearer sk-test-secret");
        assertThat(received.header("traceparent")).startsWith("00-0af7651916cd43dd8448eb211c80319c-");
        JsonNode body = received.body();
        assertThat(body.path("model").asText()).isEqualTo("scripted-vlm");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(100);
        assertThat(body.path("stream").asBoolean()).isFalse();
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("You describe camera frames.");
        JsonNode parts = body.path("messages").get(1).path("content");
        assertThat(parts.get(0).path("text").asText()).isEqualTo("How many people?");
        String url = parts.get(1).path("image_url").path("url").asText();
        assertThat(url).startsWith("data:image/jpeg;base64,");
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1))));
        assertThat(decoded.getWidth()).isEqualTo(64);
        assertThat(decoded.getHeight()).isEqualTo(48);
    }

    @Test
    void sendsTextOnlyMessagesAsPlainStrings() {
        VlmClient client = client(1, 4, Duration.ofSeconds(5));

        client.chat(ask("Is the door open?"), Priority.BATCH).await().atMost(Duration.ofSeconds(5));

        JsonNode user = server.chats().get(0).body().path("messages").get(1);
        assertThat(user.path("role").asText()).isEqualTo("user");
        assertThat(user.path("content").isTextual()).isTrue();
        assertThat(user.path("content").asText()).isEqualTo("Is the door open?");
    }

    @Test
    void joinsContentSentAsAListOfParts() {
        server.onChat(r -> Answer.json(200, ScriptedVlmServer.completionBody(ScriptedVlmServer.JSON.createArrayNode()
                .add(ScriptedVlmServer.JSON.createObjectNode().put("type", "text").put("text", "Two people"))
                .add(ScriptedVlmServer.JSON.createObjectNode().put("type", "text").put("text", "near the door.")))));

        ChatResult result = client(1, 4, Duration.ofSeconds(5)).chat(ask("Who is there?"), Priority.INTERACTIVE)
                .await().atMost(Duration.ofSeconds(5));

        assertThat(result.content()).isEqualTo("Two people\nnear the door.");
    }

    @Test
    void streamsContentDeltasInOrderUntilDone() {
        server.onChat(r -> Answer.events(List.of(ScriptedVlmServer.chunk("A red "), ScriptedVlmServer.chunk("car "),
                ScriptedVlmServer.chunk("is parked."), "[DONE]"), 20));
        VlmClient client = client(1, 4, Duration.ofSeconds(5));

        List<String> deltas = client.streamChat(ask("Describe"), Priority.INTERACTIVE).collect().asList()
                .await().atMost(Duration.ofSeconds(5));

        assertThat(deltas).containsExactly("A red ", "car ", "is parked.");
        assertThat(server.chats().get(0).body().path("stream").asBoolean()).isTrue();
        assertThat(server.chats().get(0).header("Accept")).isEqualTo("text/event-stream");
        assertThat(client.stats().inFlight()).isZero();
    }

    @Test
    void rawStreamPassesEachPayloadWithoutTheDoneMarkerAndDefaultsTheModel() {
        server.onChat(r -> Answer.events(List.of(ScriptedVlmServer.chunk("Hi"), ScriptedVlmServer.chunk("!"), "[DONE]"), 0));
        ObjectNode body = ScriptedVlmServer.JSON.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", "hello");

        List<String> payloads = client(1, 4, Duration.ofSeconds(5)).streamRaw(body, Priority.INTERACTIVE).collect().asList()
                .await().atMost(Duration.ofSeconds(5));

        assertThat(payloads).hasSize(2).allSatisfy(p -> assertThat(p).contains("chat.completion.chunk"));
        assertThat(server.chats().get(0).body().path("model").asText()).isEqualTo("scripted-vlm");
    }

    @Test
    void rawChatReturnsTheServersJson() {
        ObjectNode body = ScriptedVlmServer.JSON.createObjectNode();
        body.put("model", "other-model");
        body.putArray("messages").addObject().put("role", "user").put("content", "hello");

        JsonNode answer = client(1, 4, Duration.ofSeconds(5)).chatRaw(body, Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5));

        assertThat(answer.path("choices").get(0).path("message").path("content").asText()).isEqualTo("a scripted answer");
        assertThat(server.chats().get(0).body().path("model").asText()).isEqualTo("other-model");
    }

    @Test
    void aServerThatHangsFailsWithTimeoutWithinTheLimitAndIsNotRetried() {
        server.onChat(r -> Answer.completion("too late").after(10_000));
        VlmClient client = client(1, 4, Duration.ofSeconds(30));

        long start = System.nanoTime();
        VlmException e = failure(() -> client.chat(ask("Describe").withTimeout(Duration.ofMillis(400)), Priority.INTERACTIVE)
                .await().atMost(Duration.ofSeconds(5)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(e.kind()).isEqualTo(VlmException.Kind.TIMEOUT);
        assertThat(tookMs).isBetween(350L, 2_000L);
        assertThat(server.chats()).hasSize(1);
        await().atMost(Duration.ofSeconds(2)).until(() -> client.stats().inFlight() == 0);
    }

    @Test
    void aStreamThatStallsFailsWithTimeout() {
        server.onChat(r -> Answer.events(List.of(ScriptedVlmServer.chunk("slow"), ScriptedVlmServer.chunk("er"), "[DONE]"), 5_000));

        VlmException e = failure(() -> client(1, 4, Duration.ofMillis(500)).streamChat(ask("Describe"), Priority.INTERACTIVE)
                .collect().asList().await().atMost(Duration.ofSeconds(5)));

        assertThat(e.kind()).isEqualTo(VlmException.Kind.TIMEOUT);
    }

    @Test
    void everyCallNamesItsPriorityClassForVlmServicesQueue() {
        VlmClient client = client(1, 4, Duration.ofSeconds(5));
        client.chat(ask("first"), Priority.BATCH).await().atMost(Duration.ofSeconds(5));
        client.chat(ask("second"), Priority.WATCH).await().atMost(Duration.ofSeconds(5));
        client.chat(ask("third"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5));

        assertThat(server.chats()).extracting(r -> r.header(Priority.HEADER)).containsExactly("batch", "watch", "interactive");
    }

    @Test
    void serverErrorsFailAsServerErrorAndOpenTheBreakerAfterTheConfiguredCount() {
        AtomicInteger healthy = new AtomicInteger(0);
        server.onChat(r -> healthy.get() == 1 ? Answer.completion("recovered")
                : Answer.json(500, "{\"error\":{\"message\":\"CUDA out of memory\"}}"));
        VlmClient client = client(1, 4, Duration.ofSeconds(5),
                VlmClientPolicy.defaults().withBreaker(4, 3, 0.5, Duration.ofMillis(400)));

        for (int i = 0; i < 3; i++) {
            VlmException e = failure(() -> client.chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5)));
            assertThat(e.kind()).isEqualTo(VlmException.Kind.SERVER_ERROR);
            assertThat(e.status()).isEqualTo(500);
            assertThat(e.getMessage()).contains("CUDA out of memory");
            assertThat(e.isServerFault()).isTrue();
        }
        VlmException open = failure(() -> client.chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5)));

        assertThat(open.kind()).isEqualTo(VlmException.Kind.UNAVAILABLE);
        assertThat(open.getMessage()).contains("circuit breaker is open");
        assertThat(open.retryAfter()).isPresent();
        assertThat(server.chats()).hasSize(3);
        assertThat(registry.get("sightline.vlm.rejected").tag("reason", "circuit_open").counter().count()).isEqualTo(1);

        healthy.set(1);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() ->
                assertThat(client.chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5)).content())
                        .isEqualTo("recovered"));
    }

    @Test
    void clientErrorsAreRejectedAndDoNotOpenTheBreaker() {
        server.onChat(r -> Answer.json(400, "{\"error\":{\"message\":\"image too large\"}}"));
        VlmClient client = client(1, 4, Duration.ofSeconds(5), VlmClientPolicy.defaults().withBreaker(2, 1, 0.5, Duration.ofSeconds(30)));

        for (int i = 0; i < 3; i++) {
            VlmException e = failure(() -> client.chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5)));
            assertThat(e.kind()).isEqualTo(VlmException.Kind.REJECTED);
            assertThat(e.isServerFault()).isFalse();
        }
        assertThat(server.chats()).hasSize(3);
    }

    @Test
    void tooManyRequestsWithALongRetryAfterFailsAtOnceWithTheServersValue() {
        server.onChat(r -> Answer.json(429, "{\"error\":{\"message\":\"slots busy\"}}").withHeader("Retry-After", "120"));

        long start = System.nanoTime();
        VlmException e = failure(() -> client(1, 4, Duration.ofSeconds(5)).chat(ask("Describe"), Priority.INTERACTIVE)
                .await().atMost(Duration.ofSeconds(5)));

        assertThat(e.kind()).isEqualTo(VlmException.Kind.OVERLOADED);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_000);
        assertThat(server.chats()).hasSize(1);
    }

    @Test
    void tooManyRequestsWithAShortRetryAfterIsRetriedOnlyAfterThatWait() {
        AtomicInteger calls = new AtomicInteger();
        server.onChat(r -> calls.getAndIncrement() == 0
                ? Answer.json(503, "{\"error\":{\"message\":\"Loading model\"}}").withHeader("Retry-After", "1")
                : Answer.completion("ready now"));

        ChatResult result = client(1, 4, Duration.ofSeconds(5)).chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5));

        assertThat(result.content()).isEqualTo("ready now");
        List<ScriptedVlmServer.Received> chats = server.chats();
        assertThat(chats).hasSize(2);
        assertThat((chats.get(1).arrivedNanos() - chats.get(0).arrivedNanos()) / 1_000_000).isGreaterThanOrEqualTo(950);
    }

    @Test
    void garbageOrEmptyAnswersFailAsBadResponse() {
        VlmClient client = client(1, 4, Duration.ofSeconds(5));
        for (String garbage : List.of("<html>proxy error</html>", "", "{\"choices\":[]}", ScriptedVlmServer.completionBody(
                ScriptedVlmServer.JSON.getNodeFactory().textNode("  ")), "{\"object\":\"chat.completion\"}")) {
            server.onChat(r -> Answer.json(200, garbage));

            VlmException e = failure(() -> client.chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5)));

            assertThat(e.kind()).as("answer %s", garbage).isEqualTo(VlmException.Kind.BAD_RESPONSE);
        }
    }

    @Test
    void aServerThatIsNotListeningIsUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        VlmClient client = clients.forEndpoint(VlmEndpoint.of("nowhere", "http://127.0.0.1:" + port + "/v1", "m"),
                VlmClientPolicy.defaults().withRetries(1, Duration.ofMillis(50), Duration.ofSeconds(1)));

        VlmException e = failure(() -> client.chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5)));

        assertThat(e.kind()).isEqualTo(VlmException.Kind.UNAVAILABLE);
        assertThat(client.visionReady().await().atMost(Duration.ofSeconds(5))).isFalse();
    }

    @Test
    void retriesWhenTheConnectionIsRefusedUntilTheServerComesUp() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        VlmClient client = clients.forEndpoint(VlmEndpoint.of("starting", "http://127.0.0.1:" + port + "/v1", "m")
                        .withTimeout(Duration.ofSeconds(10)),
                VlmClientPolicy.defaults().withRetries(40, Duration.ofMillis(100), Duration.ofSeconds(1)));
        List<ScriptedVlmServer> late = new java.util.concurrent.CopyOnWriteArrayList<>();
        int freePort = port;
        vertx.setTimer(400, id -> vertx.executeBlocking(() -> late.add(new ScriptedVlmServer(vertx, freePort))));
        try {
            ChatResult result = client.chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(10));

            assertThat(result.content()).isEqualTo("a scripted answer");
            assertThat(late.get(0).chats()).hasSize(1);
        } finally {
            await().atMost(Duration.ofSeconds(5)).until(() -> !late.isEmpty());
            late.get(0).close();
        }
    }

    @Test
    void aConnectionDroppedAfterTheRequestWasSentIsUnavailableAndNotRetried() {
        server.onChat(r -> Answer.dropConnection());

        VlmException e = failure(() -> client(1, 4, Duration.ofSeconds(5)).chat(ask("Describe"), Priority.INTERACTIVE)
                .await().atMost(Duration.ofSeconds(5)));

        assertThat(e.kind()).isEqualTo(VlmException.Kind.UNAVAILABLE);
        assertThat(server.chats()).as("the server may have started generating: no second try").hasSize(1);
    }

    @Test
    void listsModelsAndIsVisionReadyOnlyWhenHealthyAndImageCapable() {
        VlmClient client = client(1, 4, Duration.ofSeconds(5));

        assertThat(client.models().await().atMost(Duration.ofSeconds(5))).containsExactly("scripted-vlm");
        assertThat(client.visionReady().await().atMost(Duration.ofSeconds(5))).isTrue();

        server.health(503);
        assertThat(client.visionReady().await().atMost(Duration.ofSeconds(5))).isFalse();

        server.health(404).models("{\"object\":\"list\",\"data\":[{\"id\":\"vllm-model\"}]}");
        assertThat(client.visionReady().await().atMost(Duration.ofSeconds(5))).as("no /health route, no capabilities").isTrue();

        server.health(200).models("{\"data\":[{\"id\":\"text-only\"}],\"models\":[{\"name\":\"text-only\",\"capabilities\":[\"completion\"]}]}");
        assertThat(client.visionReady().await().atMost(Duration.ofSeconds(5))).as("text-only model").isFalse();

        server.models("{\"object\":\"list\",\"data\":[]}");
        assertThat(client.visionReady().await().atMost(Duration.ofSeconds(5))).as("no model loaded").isFalse();
    }

    @Test
    void theSameEndpointNameGivesTheSameClient() {
        VlmClient first = client(1, 4, Duration.ofSeconds(5));
        VlmClient second = clients.forEndpoint(VlmEndpoint.of("test", server.baseUrl(), "scripted-vlm"));

        assertThat(second).isSameAs(first);
    }

    @Test
    void endpointsRejectBaseUrlsThatAreNotHttp() {
        assertThatThrownBy(() -> VlmEndpoint.of("bad", "file:///etc/passwd", "m")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VlmEndpoint.of("bad", "127.0.0.1:8090", "m")).isInstanceOf(IllegalArgumentException.class);
        assertThat(VlmEndpoint.of("ok", "http://127.0.0.1:8090/v1", "m").withApiKey(Optional.of("secret")).toString())
                .doesNotContain("secret");
    }

    @Test
    void recordsLatencyAndErrorsByKind() {
        client(1, 4, Duration.ofSeconds(5)).chat(ask("Describe"), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5));
        server.onChat(r -> Answer.json(502, "bad gateway"));
        failure(() -> client(1, 4, Duration.ofSeconds(5)).chat(ask("Describe"), Priority.BATCH).await().atMost(Duration.ofSeconds(5)));

        assertThat(registry.get("sightline.vlm.requests").tag("outcome", "success").timer().count()).isEqualTo(1);
        assertThat(registry.get("sightline.vlm.errors").tag("kind", "SERVER_ERROR").counter().count()).isEqualTo(1);
        assertThat(registry.get("sightline.vlm.in.flight").gauge().value()).isZero();
    }
}
