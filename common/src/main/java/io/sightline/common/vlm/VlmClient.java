package io.sightline.common.vlm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.util.List;

/**
 * Client of one OpenAI-compatible endpoint: timeout, safe retries, circuit breaker, tracing and metrics.
 * It does not queue: every call names its {@link Priority} in {@value Priority#HEADER}, and vlm-service
 * (the one owner of VLM calls and of the one priority queue) schedules it. The HTTP pool bounds what is
 * in flight to {@link VlmEndpoint#maxConcurrent()} + 2 with at most {@link VlmEndpoint#maxQueued()} waiting
 * for a connection. Obtain instances from {@link VlmClients}. Failures are always {@link VlmException}.
 */
public interface VlmClient {

    VlmEndpoint endpoint();

    /** Chat completion; content returned as a string whether the server sent a string or parts. */
    Uni<ChatResult> chat(ChatRequest request, Priority priority);

    /** Streaming chat completion: the content deltas in order. */
    Multi<String> streamChat(ChatRequest request, Priority priority);

    /**
     * Pass-through for the gateway's OpenAI endpoint: sends the body as given ({@code model} defaulted
     * to the endpoint's), returns the server's JSON. Queued like {@link #chat}.
     */
    default Uni<JsonNode> chatRaw(ObjectNode body, Priority priority) {
        return chatRaw(body, priority, null);
    }

    /**
     * {@link #chatRaw(ObjectNode, Priority)} on behalf of an outside caller entitled to at most
     * {@code entitlement} (sent in {@value Priority#ENTITLEMENT_HEADER}; vlm-service serves the lower of the
     * two classes). {@code null} = an internal caller, no entitlement header.
     */
    Uni<JsonNode> chatRaw(ObjectNode body, Priority priority, Priority entitlement);

    /** Streaming pass-through: each SSE {@code data:} payload as received, without the final {@code [DONE]}. */
    default Multi<String> streamRaw(ObjectNode body, Priority priority) {
        return streamRaw(body, priority, null);
    }

    /** {@link #streamRaw(ObjectNode, Priority)} with the caller's entitlement, as {@link #chatRaw(ObjectNode, Priority, Priority)}. */
    Multi<String> streamRaw(ObjectNode body, Priority priority, Priority entitlement);

    /** Model ids from {@code GET {base}/models}. */
    Uni<List<String>> models();

    /**
     * True when the server is up and can see: {@code GET /health} (llama-server) answers 200 or is
     * absent, and {@code /models} lists a model (with image input where the server says so).
     */
    Uni<Boolean> visionReady();

    /** Live queue figures for status pages and tests. */
    QueueStats stats();

    record QueueStats(int inFlight, long completed, long rejected) {
    }
}
