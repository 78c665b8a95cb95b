package io.sightline.common.vlm;

import java.time.Duration;
import java.util.List;

/**
 * A chat completion to send. {@code model} null means the endpoint's configured model; {@code timeout}
 * null means the endpoint's default. The client enforces the timeout end to end (queue wait included).
 */
public record ChatRequest(String model, List<ChatMessage> messages, int maxTokens, double temperature, Duration timeout) {

    public ChatRequest {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
    }

    public static ChatRequest of(List<ChatMessage> messages, int maxTokens, double temperature) {
        return new ChatRequest(null, messages, maxTokens, temperature, null);
    }

    public ChatRequest withTimeout(Duration timeout) {
        return new ChatRequest(model, messages, maxTokens, temperature, timeout);
    }

    public boolean hasImage() {
        return messages.stream().anyMatch(ChatMessage::hasImage);
    }
}
