package io.sightline.common.vlm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One message of an OpenAI-compatible chat: a role and its content parts. */
public record ChatMessage(String role, List<ContentPart> content) {

    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
    }

    public static ChatMessage system(String text) {
        return new ChatMessage(SYSTEM, List.of(new ContentPart.Text(text)));
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage(ASSISTANT, List.of(new ContentPart.Text(text)));
    }

    public static ChatMessage user(String text, ContentPart.Image... images) {
        List<ContentPart> parts = new ArrayList<>();
        parts.add(new ContentPart.Text(text));
        parts.addAll(List.of(images));
        return new ChatMessage(USER, parts);
    }

    public boolean hasImage() {
        return content.stream().anyMatch(p -> p instanceof ContentPart.Image);
    }

    /** The text parts joined with newlines. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (ContentPart part : content) {
            if (part instanceof ContentPart.Text t) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(t.text());
            }
        }
        return sb.toString();
    }
}
