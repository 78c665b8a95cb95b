package io.sightline.gateway.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The body of every error: a stable machine-readable {@code error} code, a sentence for people, the
 * HTTP status. On the OpenAI-compatible routes ({@code /v1/...}) the body is OpenAI's shape
 * ({@code {"error": {"message", "type", "code"}}}, see {@link #toOpenAi}) so stock clients show the message.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, int status) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("error", error);
        node.put("message", message);
        node.put("status", status);
        return node.toString();
    }

    /** OpenAI error envelope, plus our {@code message} and {@code status} at top level. */
    public String toOpenAi() {
        ObjectNode node = JSON.createObjectNode();
        ObjectNode inner = node.putObject("error");
        inner.put("message", message);
        inner.put("type", openAiType());
        inner.put("code", error);
        node.put("message", message);
        node.put("status", status);
        return node.toString();
    }

    private String openAiType() {
        return switch (status) {
            case 400, 404, 413, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    /** Body for the given request path: OpenAI shape under /v1, ours elsewhere. */
    public String bodyFor(String path) {
        return path != null && path.startsWith("/v1/") ? toOpenAi() : toJson();
    }
}
