package io.sightline.common.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place credentials are masked before text leaves a service (logs, API views, error
 * messages): user-info in URLs ({@code rtsp://admin:secret@cam} -> {@code rtsp://***@cam}),
 * secret-looking query parameters ({@code ?user=admin&pwd=x} -> {@code ?user=***&pwd=***}) and, in
 * JSON documents, fields whose name says they hold a secret.
 */
public final class SecretMasker {

    public static final String MASK = "***";
    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/@\\s?#]*@)");
    private static final String SECRET_NAMES =
            "user|username|usr|uid|login|pass|passwd|password|pwd|psw|token|access_token|auth|authorization|key|api_key|apikey|secret|sig|signature|credentials?";
    private static final Pattern SECRET_PARAM = Pattern.compile("(?i)([?&;](?:" + SECRET_NAMES + ")=)([^&;#\\s\"']*)");
    private static final Pattern SECRET_PARAM_NAME = Pattern.compile("(?i)" + SECRET_NAMES);
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i).*(password|passwd|secret|token|credential|api_?key|private_?key|authorization).*");

    private SecretMasker() {
    }

    /** The text with every credential-looking part of every URL in it replaced by {@code ***}. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = USER_INFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
        return SECRET_PARAM.matcher(masked).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    }

    /**
     * A message that may quote {@code url} (as FFmpeg and HTTP clients do, possibly rewritten or
     * decoded) with the URL's secrets removed wherever they appear, then {@link #mask}ed.
     */
    public static String scrub(String message, String url) {
        if (message == null) {
            return null;
        }
        String scrubbed = message;
        if (url != null && !url.isEmpty()) {
            scrubbed = scrubbed.replace(url, mask(url));
            for (String secret : secretsOf(url)) {
                scrubbed = scrubbed.replace(secret, MASK);
            }
        }
        return mask(scrubbed);
    }

    /** The secret values a URL carries (user-info and its parts, values of secret query parameters), raw and decoded. */
    static Set<String> secretsOf(String url) {
        Set<String> secrets = new LinkedHashSet<>();
        String userInfo = null;
        String query = null;
        try {
            URI uri = URI.create(url);
            userInfo = uri.getRawUserInfo();
            query = uri.getRawQuery();
        } catch (IllegalArgumentException e) {
            int scheme = url.indexOf("://");
            int at = url.indexOf('@', Math.max(0, scheme));
            if (scheme > 0 && at > scheme) {
                userInfo = url.substring(scheme + 3, at);
            }
            int q = url.indexOf('?');
            if (q >= 0) {
                query = url.substring(q + 1);
            }
        }
        if (userInfo != null && !userInfo.isEmpty()) {
            secrets.add(userInfo);
            for (String part : userInfo.split(":", 2)) {
                addSecret(secrets, part);
            }
        }
        if (query != null) {
            for (String pair : query.split("[&;]")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && SECRET_PARAM_NAME.matcher(pair.substring(0, eq)).matches()) {
                    addSecret(secrets, pair.substring(eq + 1));
                }
            }
        }
        // longest first, so a password containing the user name is masked whole
        List<String> ordered = new ArrayList<>(secrets);
        ordered.sort((a, b) -> Integer.compare(b.length(), a.length()));
        return new LinkedHashSet<>(ordered);
    }

    private static void addSecret(Set<String> secrets, String raw) {
        // very short values ("1", "on") would mask unrelated text; they are masked in URLs by mask() anyway
        if (raw.length() >= 3) {
            secrets.add(raw);
            try {
                String decoded = URLDecoder.decode(raw, StandardCharsets.UTF_8);
                if (decoded.length() >= 3) {
                    secrets.add(decoded);
                }
            } catch (IllegalArgumentException e) {
                // not percent-encoded: the raw value is enough
            }
        }
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

    private static void walk(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                boolean secretField = SECRET_FIELD.matcher(name.toLowerCase(Locale.ROOT)).matches();
                if (value.isTextual()) {
                    object.set(name, new TextNode(secretField && !value.asText().isEmpty() ? MASK : mask(value.asText())));
                } else if (value.isContainerNode()) {
                    if (secretField && value.isObject()) {
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
                    array.set(i, new TextNode(mask(value.asText())));
                } else {
                    walk(value);
                }
            }
        }
    }
}
