package io.sightline.common.vlm;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.sightline.common.vlm.ScriptedVlmServer.Answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class VlmClientTracingTest {

    private final List<SpanData> ended = new CopyOnWriteArrayList<>();
    private Vertx vertx;
    private ScriptedVlmServer server;
    private OpenTelemetrySdk otel;
    private VertxVlmClients clients;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new ScriptedVlmServer(vertx);
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
                    @Override
                    public void onStart(Context parentContext, ReadWriteSpan span) {
                    }

                    @Override
                    public boolean isStartRequired() {
                        return false;
                    }

                    @Override
                    public void onEnd(ReadableSpan span) {
                        ended.add(span.toSpanData());
                    }

                    @Override
                    public boolean isEndRequired() {
                        return true;
                    }

                    @Override
                    public CompletableResultCode shutdown() {
                        return CompletableResultCode.ofSuccess();
                    }
                }).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        clients = new VertxVlmClients(vertx, new SimpleMeterRegistry(), otel);
    }

    @AfterEach
    void stop() throws Exception {
        clients.close();
        server.close();
        otel.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private VlmClient client() {
        return clients.forEndpoint(VlmEndpoint.of("traced", server.baseUrl(), "scripted-vlm").withTimeout(Duration.ofSeconds(5)));
    }

    private static ChatRequest ask() {
        return ChatRequest.of(List.of(ChatMessage.user("Describe")), 50, 0.0);
    }

    @Test
    void eachCallIsAClientSpanUnderTheCallersSpanAndTheServerSeesItsContext() {
        Span parent = otel.getTracer("test").spanBuilder("query").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            client().chat(ask(), Priority.INTERACTIVE).await().atMost(Duration.ofSeconds(5));
        } finally {
            parent.end();
        }

        await().atMost(Duration.ofSeconds(2)).until(() -> ended.stream().anyMatch(s -> s.getName().equals("vlm chat")));
        SpanData call = ended.stream().filter(s -> s.getName().equals("vlm chat")).findFirst().orElseThrow();
        assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(call.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
        assertThat(call.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(call.getAttributes().asMap().toString()).contains("vlm.endpoint=traced", "vlm.priority=INTERACTIVE");
        assertThat(server.chats().get(0).header("traceparent"))
                .isEqualTo("00-" + call.getTraceId() + "-" + call.getSpanId() + "-01");
    }

    @Test
    void aFailedCallEndsItsSpanAsAnErrorWithTheKind() {
        server.onChat(r -> Answer.json(500, "{\"error\":{\"message\":\"boom\"}}"));

        try {
            client().chat(ask(), Priority.BATCH).await().atMost(Duration.ofSeconds(5));
        } catch (VlmException expected) {
            // asserted through the span
        }

        await().atMost(Duration.ofSeconds(2)).until(() -> !ended.isEmpty());
        SpanData call = ended.get(0);
        assertThat(call.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(call.getAttributes().asMap().toString()).contains("error.type=SERVER_ERROR", "http.response.status_code=500");
    }
}
