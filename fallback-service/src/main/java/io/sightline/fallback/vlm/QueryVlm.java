package io.sightline.fallback.vlm;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.vlm.ChatMessage;
import io.sightline.common.vlm.ChatRequest;
import io.sightline.common.vlm.ChatResult;
import io.sightline.common.vlm.ContentPart;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmClients;
import io.sightline.common.vlm.VlmEndpoint;
import io.sightline.common.vlm.VlmException;
import io.sightline.fallback.config.FallbackConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Asks the configured OpenAI-compatible VLM on behalf of a person (HIGH priority), with the camera's
 * latest frame attached or text-only. Uses the shared client of the endpoint named
 * {@value #ENDPOINT}; watch jobs (watch-service) reach the same vlm-service with priority WATCH.
 * Every failure is a {@link VlmException}; an answer never takes longer than the configured timeout
 * (plus a small grace for the error to travel).
 */
@Startup
@ApplicationScoped
public class QueryVlm {

    public static final String ENDPOINT = "fallback";

    /** Safety margin past the client's own end-to-end timeout, so a misbehaving client cannot hang a query. */
    private static final Duration GRACE = Duration.ofMillis(500);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

    private final FallbackConfig.Vlm config;
    private final Optional<VlmClient> client;
    private final MeterRegistry registry;

    QueryVlm(FallbackConfig config, VlmClients clients, MeterRegistry registry) {
        this.config = config.vlm();
        this.registry = registry;
        this.client = this.config.baseUrl().map(url -> clients.forEndpoint(new VlmEndpoint(ENDPOINT, url,
                this.config.apiKey(), this.config.model(), this.config.maxConcurrent(), this.config.maxQueued(),
                this.config.timeout())));
        client.ifPresentOrElse(
                c -> Log.infof("Low-confidence queries go to the VLM at %s (model %s, %d slots, timeout %s, image fallback %s)",
                        c.endpoint().baseUrl(), c.endpoint().model(), c.endpoint().maxConcurrent(), this.config.timeout(),
                        this.config.imageFallback() ? "on" : "off"),
                () -> Log.warn("No VLM configured (sightline.fallback.vlm.base-url / SIGHTLINE_VLM_SERVICE_URL): "
                        + "low-confidence queries are answered from pipeline state when possible, else with an error"));
    }

    public boolean configured() {
        return client.isPresent();
    }

    public boolean imageFallback() {
        return config.imageFallback();
    }

    public Duration timeout() {
        return config.timeout();
    }

    /** Live queue figures of the shared client, empty when no VLM is configured. */
    public Optional<VlmClient.QueueStats> queue() {
        return client.map(VlmClient::stats);
    }

    /** The question with the frame attached as a data URI; the system prompt carries the image metadata. */
    public Uni<ChatResult> askWithFrame(String camera, String query, CapturedFrame frame, ZoneId zone, long now) {
        return askWithFrame(camera, query, frame, zone, now, null);
    }

    /**
     * {@link #askWithFrame(String, String, CapturedFrame, ZoneId, long)}, streamed when {@code tokens} is not
     * null: each piece of the answer goes to it as the VLM generates it. A "where is ...?" question also asks
     * for the thing's bounding box.
     */
    public Uni<ChatResult> askWithFrame(String camera, String query, CapturedFrame frame, ZoneId zone, long now,
                                        Consumer<String> tokens) {
        String prompt = Grounding.asksWhere(query) ? config.imagePrompt() + config.wherePrompt() : config.imagePrompt();
        String system = PromptTemplate.render(prompt, Map.of(
                "query", query,
                "camera", camera,
                "captured_at", TIME.format(Instant.ofEpochMilli(frame.capturedAt()).atZone(zone)),
                "age", Math.max(0, (now - frame.capturedAt()) / 1000) + " s",
                "width", Integer.toString(frame.width()),
                "height", Integer.toString(frame.height()),
                "frame_id", frame.frameId().toString()));
        ChatMessage user = ChatMessage.user(query, new ContentPart.Image(frame.contentType(), frame.image()));
        return send(List.of(ChatMessage.system(system), user), "image", tokens);
    }

    /** The question without an image: the prompt says why there is none and what the pipeline saw earlier. */
    public Uni<ChatResult> askWithoutFrame(String camera, String query, String reason, String observations) {
        return askWithoutFrame(camera, query, reason, observations, null);
    }

    /** {@link #askWithoutFrame(String, String, String, String)}, streamed to {@code tokens} when it is not null. */
    public Uni<ChatResult> askWithoutFrame(String camera, String query, String reason, String observations, Consumer<String> tokens) {
        String system = PromptTemplate.render(config.textPrompt(), Map.of(
                "query", query,
                "camera", camera,
                "reason", reason,
                "observations", observations));
        return send(List.of(ChatMessage.system(system), ChatMessage.user(query)), "text", tokens);
    }

    private Uni<ChatResult> send(List<ChatMessage> messages, String kind, Consumer<String> tokens) {
        if (client.isEmpty()) {
            return Uni.createFrom().failure(new VlmException(VlmException.Kind.UNAVAILABLE,
                    "no VLM is configured (set SIGHTLINE_VLM_SERVICE_URL to vlm-service)"));
        }
        ChatRequest request = ChatRequest.of(messages, config.maxTokens(), config.temperature()).withTimeout(config.timeout());
        long start = System.nanoTime();
        Timer.Sample sample = Timer.start(registry);
        Uni<ChatResult> call = tokens == null ? client.get().chat(request, Priority.INTERACTIVE) : streamed(request, tokens);
        return call
                .ifNoItem().after(config.timeout().plus(GRACE))
                .failWith(() -> new VlmException(VlmException.Kind.TIMEOUT,
                        "the VLM did not answer within " + config.timeout().toMillis() + " ms"))
                .onItem().transform(result -> {
                    if (result == null || result.content() == null || result.content().isBlank()) {
                        throw new VlmException(VlmException.Kind.BAD_RESPONSE, "the VLM answered with empty content");
                    }
                    return result;
                })
                .onFailure().transform(QueryVlm::asVlmException)
                .onTermination().invoke((result, failure, cancelled) -> sample.stop(Timer.builder("sightline.fallback.vlm.requests")
                        .description("VLM calls made for queries, by kind and outcome")
                        .tag("kind", kind)
                        .tag("outcome", failure instanceof VlmException e ? e.kind().name().toLowerCase()
                                : failure != null ? "failure" : cancelled ? "cancelled" : "ok")
                        .register(registry)))
                .onItem().invoke(r -> Log.debugf("VLM %s answer in %d ms (queue %d ms)", kind,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), r.queueWaitMs()));
    }

    /**
     * The same call with {@code "stream": true} (same priority class, timeout and breaker, in the shared client):
     * the pieces go to {@code tokens} as they arrive and make the result's content. The stream names no model, so
     * the result carries the configured one.
     */
    private Uni<ChatResult> streamed(ChatRequest request, Consumer<String> tokens) {
        long dispatched = System.nanoTime();
        return client.get().streamChat(request, Priority.INTERACTIVE)
                .onItem().invoke(tokens)
                .collect().in(StringBuilder::new, StringBuilder::append)
                .map(text -> new ChatResult(text.toString(), client.get().endpoint().model(), "stop",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dispatched), 0));
    }

    private static Throwable asVlmException(Throwable failure) {
        if (failure instanceof VlmException) {
            return failure;
        }
        return new VlmException(VlmException.Kind.UNAVAILABLE, "VLM call failed: " + failure, 0, null, failure);
    }
}
