package io.sightline.common.vlm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@link VlmClient} of one endpoint: owns the priority queue, timeout (queue wait included), safe
 * retries, circuit breaker, tracing and metrics around the raw {@link VlmHttp} calls. Items are
 * delivered on a Vert.x event-loop thread: callers with blocking follow-up work must switch threads.
 */
final class EndpointVlmClient implements VlmClient {

    private static final Logger LOG = Logger.getLogger(EndpointVlmClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_ERROR_TEXT = 300;

    /** A decoded non-streaming completion. */
    private record Completion(String content, String model, String finishReason) {
    }

    /** A call's value and how long it waited for a slot. */
    private record Timed<T>(T value, long queueWaitNanos, long dispatchedAt) {
    }

    private final VlmEndpoint endpoint;
    private final VlmClientPolicy policy;
    private final HttpClient httpClient;
    private final VlmHttp http;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
    private final CircuitBreaker breaker;
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final MeterRegistry registry;
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong rejectedCount = new java.util.concurrent.atomic.AtomicLong();
    private final String chatUrl;
    private final String modelsUrl;
    private final String healthUrl;
    private final String host;

    EndpointVlmClient(VlmEndpoint endpoint, VlmClientPolicy policy, Vertx vertx, HttpClient httpClient,
                      MeterRegistry registry, OpenTelemetry openTelemetry) {
        this.endpoint = endpoint;
        this.policy = policy;
        this.httpClient = httpClient;
        this.registry = registry;
        this.http = new VlmHttp(vertx, httpClient, endpoint.name(), policy.maxResponseBytes());
        this.breaker = new CircuitBreaker(policy.breakerWindow(), policy.breakerMinRequests(), policy.breakerFailureRatio(),
                policy.breakerDelay(), System::nanoTime);
        this.tracer = openTelemetry.getTracer("io.sightline.common.vlm");
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
        String base = endpoint.baseUrl().toString().replaceAll("/+$", "");
        this.chatUrl = base + "/chat/completions";
        this.modelsUrl = base + "/models";
        this.healthUrl = serverRoot(endpoint.baseUrl()) + "/health";
        this.host = endpoint.baseUrl().getHost() == null ? "" : endpoint.baseUrl().getHost();
        Tags tags = Tags.of("endpoint", endpoint.name());
        Gauge.builder("sightline.vlm.in.flight", inFlight, java.util.concurrent.atomic.AtomicInteger::get)
                .description("VLM requests being answered by the server").tags(tags).strongReference(true).register(registry);
        Gauge.builder("sightline.vlm.circuit.open", breaker, b -> b.state() == CircuitBreaker.State.OPEN ? 1 : 0)
                .description("1 while the endpoint's circuit breaker fails calls fast").tags(tags).strongReference(true)
                .register(registry);
    }

    @Override
    public VlmEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public Uni<ChatResult> chat(ChatRequest request, Priority priority) {
        ObjectNode body = requestBody(request);
        body.put("stream", false);
        return unary("chat", priority, null, timeoutOf(request.timeout()), body, this::completion)
                .map(timed -> new ChatResult(timed.value().content(), timed.value().model(), timed.value().finishReason(),
                        (System.nanoTime() - timed.dispatchedAt()) / 1_000_000, timed.queueWaitNanos() / 1_000_000));
    }

    @Override
    public Multi<String> streamChat(ChatRequest request, Priority priority) {
        ObjectNode body = requestBody(request);
        body.put("stream", true);
        return streamed("stream_chat", priority, null, timeoutOf(request.timeout()), body, this::delta)
                .select().where(text -> !text.isEmpty());
    }

    @Override
    public Uni<JsonNode> chatRaw(ObjectNode body, Priority priority, Priority entitlement) {
        ObjectNode copy = withModel(body);
        copy.put("stream", false);
        return unary("chat_raw", priority, entitlement, timeoutOf(null), copy, this::rawCompletion).map(Timed::value);
    }

    @Override
    public Multi<String> streamRaw(ObjectNode body, Priority priority, Priority entitlement) {
        ObjectNode copy = withModel(body);
        copy.put("stream", true);
        return streamed("stream_raw", priority, entitlement, timeoutOf(null), copy, Function.identity());
    }

    @Override
    public Uni<List<String>> models() {
        return fetchModels().map(root -> {
            List<String> ids = modelIds(root);
            if (ids.isEmpty() && !root.path("data").isArray() && !root.path("models").isArray()) {
                throw badResponse("the model list has neither 'data' nor 'models'", root.toString());
            }
            return ids;
        });
    }

    @Override
    public Uni<Boolean> visionReady() {
        Context parent = Context.current();
        return Uni.createFrom().deferred(() -> {
            Span span = startSpan("vlm health", parent, null);
            return http.exchange(HttpMethod.GET, healthUrl, headers(span, parent, "application/json"), null)
                    .ifNoItem().after(PROBE_TIMEOUT).failWith(() -> timeout("health check", PROBE_TIMEOUT))
                    .flatMap(reply -> {
                        if (reply.status() != 200 && reply.status() != 404) {
                            LOG.debugf("VLM endpoint '%s' is not ready: /health answered %d", endpoint.name(), reply.status());
                            return Uni.createFrom().item(false);
                        }
                        return fetchModels().map(this::canSee);
                    })
                    .onFailure().recoverWithItem(failure -> {
                        LOG.debugf("VLM endpoint '%s' is not ready: %s", endpoint.name(), failure.getMessage());
                        return false;
                    })
                    .onTermination().invoke(span::end);
        });
    }

    @Override
    public QueueStats stats() {
        return new QueueStats(inFlight.get(), completed.get(), rejectedCount.get());
    }

    /** Releases the connections; further calls fail. */
    void close() {
        httpClient.close();
    }

    // ---- the call pipeline ------------------------------------------------------------------------

    private <T> Uni<Timed<T>> unary(String operation, Priority priority, Priority entitlement, Duration timeout, ObjectNode body,
                                    Function<VlmHttp.Reply, T> decode) {
        Context parent = Context.current();
        Buffer payload = Buffer.buffer(json(body));
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            Span span = startSpan("vlm " + operation, parent, priority);
            Uni<Timed<T>> call;
            if (!breaker.admitsCalls()) {
                call = Uni.createFrom().failure(circuitOpen());
            } else {
                call = Uni.createFrom().deferred(() -> {
                            if (!breaker.tryAcquire()) {
                                return Uni.createFrom().<Timed<T>>failure(circuitOpen());
                            }
                            inFlight.incrementAndGet();
                            long dispatchedAt = System.nanoTime();
                            MultiMap headers = headers(span, parent, "application/json", priority, entitlement);
                            return send(payload, headers, deadline, 0, false)
                                    .map(decode)
                                    .ifNoItem().after(remaining(deadline)).failWith(() -> generationTimeout(timeout))
                                    .onTermination().invoke((value, failure, cancelled) -> {
                                        inFlight.decrementAndGet();
                                        completed.incrementAndGet();
                                        judge(failure, cancelled);
                                    })
                                    .map(value -> new Timed<>(value, 0L, dispatchedAt));
                        });
            }
            return call.onFailure(failure -> !(failure instanceof VlmException)).transform(this::unexpected)
                    .onTermination().invoke((value, failure, cancelled) -> finish(operation, span, start, failure, cancelled));
        });
    }

    private Multi<String> streamed(String operation, Priority priority, Priority entitlement, Duration timeout, ObjectNode body,
                                   Function<String, String> decode) {
        Context parent = Context.current();
        Buffer payload = Buffer.buffer(json(body));
        return Multi.createFrom().deferred(() -> {
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            Span span = startSpan("vlm " + operation, parent, priority);
            Multi<String> call;
            if (!breaker.admitsCalls()) {
                call = Multi.createFrom().failure(circuitOpen());
            } else {
                call = Multi.createFrom().deferred(() -> {
                            if (!breaker.tryAcquire()) {
                                return Multi.createFrom().<String>failure(circuitOpen());
                            }
                            inFlight.incrementAndGet();
                            MultiMap headers = headers(span, parent, "text/event-stream", priority, entitlement);
                            return http.events(chatUrl, headers, payload, deadline)
                                    .onFailure(VlmHttp.ConnectFailure.class).retry()
                                    .withBackOff(policy.connectRetryDelay(), policy.connectRetryDelay())
                                    .atMost(Math.max(0, policy.connectRetries()))
                                    .onFailure().transform(this::classify)
                                    .map(decode)
                                    .onTermination().invoke((failure, cancelled) -> {
                                        inFlight.decrementAndGet();
                                        completed.incrementAndGet();
                                        judge(failure, cancelled);
                                    });
                        });
            }
            return call.onFailure(failure -> !(failure instanceof VlmException)).transform(this::unexpected)
                    .onTermination().invoke((failure, cancelled) -> finish(operation, span, start, failure, cancelled));
        });
    }

    /**
     * One POST of the completion. Retried only when nothing reached the server (connection not made), or
     * once after the server's own {@code Retry-After} (429/503: it did not take the request) when that
     * wait is short and fits in the time left. A generation that timed out is never retried.
     */
    private Uni<VlmHttp.Reply> send(Buffer payload, MultiMap headers, long deadline, int connectRetries, boolean waitedRetryAfter) {
        return http.exchange(HttpMethod.POST, chatUrl, headers, payload)
                .onFailure(VlmHttp.ConnectFailure.class).recoverWithUni(failure -> {
                    Duration delay = policy.connectRetryDelay();
                    if (connectRetries < policy.connectRetries() && remainingNanos(deadline) > delay.toNanos()) {
                        LOG.debugf("VLM endpoint '%s' refused the connection (%s); retrying in %d ms",
                                endpoint.name(), failure.getMessage(), delay.toMillis());
                        return Uni.createFrom().voidItem().onItem().delayIt().by(delay)
                                .flatMap(v -> send(payload, headers, deadline, connectRetries + 1, waitedRetryAfter));
                    }
                    return Uni.createFrom().failure(classify(failure));
                })
                .flatMap(reply -> {
                    if (reply.status() == 200) {
                        return Uni.createFrom().item(reply);
                    }
                    VlmException failure = statusFailure(reply);
                    Duration retryAfter = failure.retryAfter().orElse(null);
                    if (failure.kind() == VlmException.Kind.OVERLOADED && retryAfter != null && !waitedRetryAfter
                            && retryAfter.compareTo(policy.maxRetryAfterWait()) <= 0
                            && retryAfter.toNanos() < remainingNanos(deadline)) {
                        LOG.debugf("VLM endpoint '%s' answered %d; retrying after the %d ms it asked for",
                                endpoint.name(), reply.status(), retryAfter.toMillis());
                        return Uni.createFrom().voidItem().onItem().delayIt().by(retryAfter)
                                .flatMap(v -> send(payload, headers, deadline, connectRetries, true));
                    }
                    return Uni.createFrom().failure(failure);
                });
    }

    /** What a finished call says about the server's health, for the breaker. */
    private void judge(Throwable failure, boolean cancelled) {
        if (cancelled) {
            breaker.onNeutral();
        } else if (failure == null) {
            breaker.onSuccess();
        } else if (failure instanceof VlmException e && (e.kind() == VlmException.Kind.REJECTED
                || e.kind() == VlmException.Kind.OVERLOADED)) {
            breaker.onNeutral();
        } else {
            breaker.onFailure();
        }
    }

    private void finish(String operation, Span span, long start, Throwable failure, boolean cancelled) {
        String outcome = cancelled ? "cancelled"
                : failure == null ? "success"
                : failure instanceof VlmException e ? e.kind().name().toLowerCase() : "unexpected";
        long elapsed = System.nanoTime() - start;
        Timer.builder("sightline.vlm.requests")
                .description("VLM calls from submission to answer, queue wait included, by outcome")
                .tags("endpoint", endpoint.name(), "operation", operation, "outcome", outcome)
                .register(registry).record(Duration.ofNanos(elapsed));
        if (failure instanceof VlmException e) {
            Counter.builder("sightline.vlm.errors").description("Failed VLM calls by kind")
                    .tags("endpoint", endpoint.name(), "kind", e.kind().name()).register(registry).increment();
            if (e.status() > 0) {
                span.setAttribute(AttributeKey.longKey("http.response.status_code"), e.status());
            }
            span.setAttribute("error.type", e.kind().name());
            span.setStatus(StatusCode.ERROR, e.getMessage());
            LOG.debugf("VLM %s on '%s' failed after %d ms: %s", operation, endpoint.name(), elapsed / 1_000_000, e.getMessage());
        } else if (cancelled) {
            span.setAttribute("vlm.cancelled", true);
        } else {
            span.setAttribute(AttributeKey.longKey("http.response.status_code"), 200L);
        }
        span.end();
    }

    // ---- failures -----------------------------------------------------------------------------------

    private VlmException circuitOpen() {
        rejected("circuit_open");
        Duration remaining = breaker.remainingOpen();
        return new VlmException(VlmException.Kind.UNAVAILABLE, "VLM endpoint '" + endpoint.name()
                + "' is failing; its circuit breaker is open for another " + remaining.toMillis() + " ms", 0,
                remaining.isZero() ? Duration.ofSeconds(1) : remaining.plusMillis(999).truncatedTo(java.time.temporal.ChronoUnit.SECONDS), null);
    }

    private VlmException generationTimeout(Duration timeout) {
        return new VlmException(VlmException.Kind.TIMEOUT, "VLM endpoint '" + endpoint.name() + "' did not answer within "
                + timeout.toMillis() + " ms");
    }

    private VlmException timeout(String what, Duration timeout) {
        return new VlmException(VlmException.Kind.TIMEOUT, "VLM endpoint '" + endpoint.name() + "' " + what
                + " took longer than " + timeout.toMillis() + " ms");
    }

    private void rejected(String reason) {
        rejectedCount.incrementAndGet();
        rejections.computeIfAbsent(reason, r -> Counter.builder("sightline.vlm.rejected")
                .description("VLM calls refused before reaching the server")
                .tags("endpoint", endpoint.name(), "reason", r).register(registry)).increment();
    }

    private Throwable classify(Throwable failure) {
        if (failure instanceof VlmException) {
            return failure;
        }
        if (failure instanceof VlmHttp.StatusFailure status) {
            return statusFailure(status.reply);
        }
        if (failure instanceof VlmHttp.ConnectFailure) {
            return new VlmException(VlmException.Kind.UNAVAILABLE, "VLM endpoint '" + endpoint.name() + "' at "
                    + endpoint.baseUrl() + " cannot be reached: " + failure.getMessage(), 0, null, failure.getCause());
        }
        return unexpected(failure);
    }

    private VlmException unexpected(Throwable failure) {
        if (failure instanceof VlmException e) {
            return e;
        }
        if (failure instanceof VlmHttp.ConnectFailure || failure instanceof VlmHttp.StatusFailure) {
            return (VlmException) classify(failure);
        }
        return new VlmException(VlmException.Kind.UNAVAILABLE, "VLM call to '" + endpoint.name() + "' failed: " + failure,
                0, null, failure);
    }

    private VlmException statusFailure(VlmHttp.Reply reply) {
        int status = reply.status();
        VlmException.Kind kind = status == 429 || status == 503 ? VlmException.Kind.OVERLOADED
                : status >= 500 ? VlmException.Kind.SERVER_ERROR
                : status >= 400 ? VlmException.Kind.REJECTED
                : VlmException.Kind.BAD_RESPONSE;
        return new VlmException(kind, "VLM endpoint '" + endpoint.name() + "' answered HTTP " + status + ": "
                + errorText(reply.bodyText()), status, VlmHttp.retryAfter(reply.headers()), null);
    }

    private VlmException badResponse(String what, String body) {
        return new VlmException(VlmException.Kind.BAD_RESPONSE, "VLM endpoint '" + endpoint.name() + "' answered 200 but "
                + what + ": " + abbreviate(body), 200, null, null);
    }

    /** The server's {@code error.message} when it sent one, else the start of the body. */
    private static String errorText(String body) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null) {
                JsonNode error = root.path("error");
                if (error.path("message").isTextual()) {
                    return abbreviate(error.path("message").asText());
                }
                if (error.isTextual()) {
                    return abbreviate(error.asText());
                }
                if (root.path("message").isTextual()) {
                    return abbreviate(root.path("message").asText());
                }
            }
        } catch (JsonProcessingException | RuntimeException notJson) {
            // fall through to the raw text
        }
        return body.isBlank() ? "(empty body)" : abbreviate(body);
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_ERROR_TEXT ? oneLine : oneLine.substring(0, MAX_ERROR_TEXT) + "…";
    }

    // ---- decoding -----------------------------------------------------------------------------------

    private Completion completion(VlmHttp.Reply reply) {
        JsonNode root = rawCompletion(reply);
        JsonNode choice = root.path("choices").path(0);
        String content = flatten(choice.path("message").path("content"));
        String finishReason = choice.path("finish_reason").isTextual() ? choice.path("finish_reason").asText() : null;
        if (content.isBlank()) {
            throw badResponse("the completion has no content (finish_reason " + finishReason + ")", reply.bodyText());
        }
        String model = root.path("model").isTextual() ? root.path("model").asText() : endpoint.model();
        return new Completion(content, model, finishReason);
    }

    private JsonNode rawCompletion(VlmHttp.Reply reply) {
        String text = reply.bodyText();
        JsonNode root = parse(text);
        if (root == null || !root.isObject()) {
            throw badResponse("the body is not a JSON object", text);
        }
        if (root.has("error") && !root.has("choices")) {
            throw badResponse("the body is an error: " + errorText(text), text);
        }
        if (!root.path("choices").isArray() || root.path("choices").isEmpty()) {
            throw badResponse("the body has no choices", text);
        }
        return root;
    }

    /** One SSE payload of a streaming completion -> its content delta ("" when it carries none). */
    private String delta(String payload) {
        JsonNode chunk = parse(payload);
        if (chunk == null || !chunk.isObject()) {
            throw badResponse("a streamed event is not JSON", payload);
        }
        if (chunk.has("error")) {
            throw new VlmException(VlmException.Kind.SERVER_ERROR, "VLM endpoint '" + endpoint.name()
                    + "' failed while streaming: " + errorText(payload), 200, null, null);
        }
        return flatten(chunk.path("choices").path(0).path("delta").path("content"));
    }

    /** Content as a string, or a list of parts whose text parts are joined with newlines. */
    static String flatten(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                String piece = part.isTextual() ? part.asText()
                        : part.path("text").isTextual() ? part.path("text").asText() : null;
                if (piece != null) {
                    if (!text.isEmpty()) {
                        text.append('\n');
                    }
                    text.append(piece);
                }
            }
            return text.toString();
        }
        return "";
    }

    private Uni<JsonNode> fetchModels() {
        Context parent = Context.current();
        return Uni.createFrom().deferred(() -> {
            Span span = startSpan("vlm models", parent, null);
            return http.exchange(HttpMethod.GET, modelsUrl, headers(span, parent, "application/json"), null)
                    .ifNoItem().after(PROBE_TIMEOUT).failWith(() -> timeout("model list", PROBE_TIMEOUT))
                    .onFailure().transform(this::classify)
                    .map(reply -> {
                        if (reply.status() != 200) {
                            throw statusFailure(reply);
                        }
                        JsonNode root = parse(reply.bodyText());
                        if (root == null || !root.isObject()) {
                            throw badResponse("the model list is not a JSON object", reply.bodyText());
                        }
                        return root;
                    })
                    .onTermination().invoke((value, failure, cancelled) -> {
                        if (failure != null) {
                            span.setStatus(StatusCode.ERROR, failure.getMessage());
                        }
                        span.end();
                    });
        });
    }

    private static List<String> modelIds(JsonNode root) {
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : root.path("data")) {
            if (entry.path("id").isTextual()) {
                ids.add(entry.path("id").asText());
            }
        }
        if (ids.isEmpty()) {
            for (JsonNode entry : root.path("models")) {
                String id = entry.path("model").isTextual() ? entry.path("model").asText() : entry.path("name").asText("");
                if (!id.isEmpty()) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    /** A model is listed, and where the server states capabilities (llama-server), it takes images. */
    private boolean canSee(JsonNode root) {
        if (modelIds(root).isEmpty()) {
            return false;
        }
        JsonNode described = null;
        for (JsonNode entry : root.path("models")) {
            if (entry.path("capabilities").isArray()) {
                boolean ours = endpoint.model() != null && (endpoint.model().equals(entry.path("model").asText(null))
                        || endpoint.model().equals(entry.path("name").asText(null)));
                if (described == null || ours) {
                    described = entry;
                }
                if (ours) {
                    break;
                }
            }
        }
        if (described == null) {
            return true;
        }
        for (JsonNode capability : described.path("capabilities")) {
            if ("multimodal".equals(capability.asText()) || "vision".equals(capability.asText())) {
                return true;
            }
        }
        return false;
    }

    // ---- requests -------------------------------------------------------------------------------------

    private ObjectNode requestBody(ChatRequest request) {
        ObjectNode body = JSON.createObjectNode();
        String model = request.model() != null && !request.model().isBlank() ? request.model() : endpoint.model();
        if (model != null && !model.isBlank()) {
            body.put("model", model);
        }
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            ObjectNode out = messages.addObject();
            out.put("role", message.role());
            if (!message.hasImage()) {
                out.put("content", message.text());
                continue;
            }
            ArrayNode parts = out.putArray("content");
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.Text text) {
                    parts.addObject().put("type", "text").put("text", text.text());
                } else if (part instanceof ContentPart.Image image) {
                    parts.addObject().put("type", "image_url").putObject("image_url").put("url", image.dataUri());
                }
            }
        }
        if (request.maxTokens() > 0) {
            body.put("max_tokens", request.maxTokens());
        }
        if (request.temperature() >= 0 && Double.isFinite(request.temperature())) {
            body.put("temperature", request.temperature());
        }
        return body;
    }

    private ObjectNode withModel(ObjectNode body) {
        ObjectNode copy = body.deepCopy();
        if ((!copy.path("model").isTextual() || copy.path("model").asText().isBlank())
                && endpoint.model() != null && !endpoint.model().isBlank()) {
            copy.put("model", endpoint.model());
        }
        return copy;
    }

    private MultiMap headers(Span span, Context parent, String accept, Priority priority, Priority entitlement) {
        MultiMap headers = headers(span, parent, accept);
        if (priority != null) {
            headers.set(Priority.HEADER, priority.id());
        }
        if (entitlement != null) {
            headers.set(Priority.ENTITLEMENT_HEADER, entitlement.id());
        }
        return headers;
    }

    private MultiMap headers(Span span, Context parent, String accept) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        headers.set("Content-Type", "application/json");
        headers.set("Accept", accept);
        headers.set("User-Agent", "sightline-vlm-client");
        endpoint.apiKey().ifPresent(key -> headers.set("Authorization", "Bearer " + key));
        propagator.inject(parent.with(span), headers, (carrier, key, value) -> carrier.set(key, value));
        return headers;
    }

    private Span startSpan(String name, Context parent, Priority priority) {
        var builder = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.CLIENT)
                .setAttribute("vlm.endpoint", endpoint.name())
                .setAttribute("server.address", host)
                .setAttribute("gen_ai.operation.name", "chat");
        if (endpoint.model() != null) {
            builder.setAttribute("gen_ai.request.model", endpoint.model());
        }
        if (priority != null) {
            builder.setAttribute("vlm.priority", priority.name());
        }
        return builder.startSpan();
    }

    private Duration timeoutOf(Duration requested) {
        Duration timeout = requested != null ? requested : endpoint.timeout() != null ? endpoint.timeout() : DEFAULT_TIMEOUT;
        return timeout.isNegative() || timeout.isZero() ? DEFAULT_TIMEOUT : timeout;
    }

    private static long remainingNanos(long deadline) {
        return deadline - System.nanoTime();
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, remainingNanos(deadline)));
    }

    private static JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? null : JSON.readTree(text);
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    private static String json(ObjectNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a chat request", e);
        }
    }

    /** {@code http://host:8090/v1} -> {@code http://host:8090}: llama-server's /health lives at the root. */
    static String serverRoot(URI base) {
        String text = base.toString().replaceAll("/+$", "");
        return text.endsWith("/v1") ? text.substring(0, text.length() - 3) : text;
    }
}
