package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Second line of defence for camera JSON from capture-service: no credential leaves the gateway.
 * Masks user-info in URLs anywhere in the document ({@code rtsp://admin:secret@cam} ->
 * {@code rtsp://***@cam}), secret-looking query parameters ({@code ?user=admin&pwd=x}), and fields
 * whose name says they hold a secret.
 */
public final class CredentialMask {

    static final String MASK = "***";
    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/@\\s?#]*@)");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&;](?:user|username|usr|login|pass|passwd|password|pwd|token|access_token|auth|key|api_key|apikey|secret|sig|signature)=)([^&#\\s]*)");
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i).*(password|passwd|secret|token|credential|api_?key|private_?key|authorization).*");

    private CredentialMask() {
    }

    /** A copy of the document with every credential replaced by {@code ***}. */
    public static JsonNode mask(JsonNode node) {
        if (node == null) {
            return null;
        }
        JsonNode copy = node.deepCopy();
        walk(copy);
        return copy;
    }

    public static String maskText(String text) {
        if (text == null) {
            return null;
        }
        String masked = USER_INFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
        return SECRET_PARAM.matcher(masked).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    }

    private static void walk(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (value.isTextual()) {
                    boolean secretField = SECRET_FIELD.matcher(name.toLowerCase(Locale.ROOT)).matches();
                    object.set(name, new TextNode(secretField && !value.asText().isEmpty() ? MASK : maskText(value.asText())));
                } else if (value.isContainerNode()) {
                    if (SECRET_FIELD.matcher(name).matches() && value.isObject()) {
                        object.set(name, new TextNode(MASK));
                    } else {
                        walk(value);
                    }
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = array.get(i);
                if (value.isTextual()) {
                    array.set(i, new TextNode(maskText(value.asText())));
                } else {
                    walk(value);
                }
            }
        }
    }

}
