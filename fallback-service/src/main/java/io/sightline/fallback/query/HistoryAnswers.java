package io.sightline.fallback.query;

import io.sightline.common.vocabulary.ObjectVocabulary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.fallback.classify.QueryIntent;
import io.sightline.common.security.InternalTokenConfig;
import io.sightline.fallback.config.FallbackConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Questions about the past, answered from history-service's events: "how many … today" counts events
 * (not frames) and "when did …" gives the newest matching events — both with their times, event ids,
 * peak frame ids and thumbnail URLs, no VLM. "What happened …" collects the period's events for a
 * text-only VLM summary that cites them. Blocking HTTP (java.net.http): call on a worker thread.
 */
@ApplicationScoped
public class HistoryAnswers {

    /** An answer from history, or a reason why none could be given (then the usual path is taken). */
    public sealed interface Outcome permits Answered, Events, NotAnswered {
    }

    /** A finished answer: text, what it is based on, and the frame of the newest evidence. */
    public record Answered(String text, String basis, FrameRef evidence) implements Outcome {
    }

    /** The events of a period, for the VLM to summarise ("what happened"). */
    public record Events(String listing, String basis, int count, FrameRef evidence) implements Outcome {
    }

    public record NotAnswered(String reason) implements Outcome {
    }

    private static final Pattern WHEN_WORDS = Pattern.compile("\\b(when|what time|last time|how long ago)\\b");
    private static final Pattern COUNT_WORDS = Pattern.compile("\\b(how many|how often|count|number of|times)\\b");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter DAY_CLOCK = DateTimeFormatter.ofPattern("EEE d MMM HH:mm", Locale.ENGLISH);

    private final Optional<URI> base;
    private final Duration timeout;
    private final Optional<String> token;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;

    @Inject
    HistoryAnswers(FallbackConfig config, InternalTokenConfig internal) {
        this(config.history().baseUrl(), config.history().timeout(), internal.token().filter(t -> !t.isBlank()));
    }

    HistoryAnswers(Optional<URI> base, Duration timeout, Optional<String> token) {
        this.base = base;
        this.timeout = timeout;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public boolean configured() {
        return base.isPresent();
    }

    /**
     * The intent history answers for this question, if any: a count with a time phrase is a count over
     * a period even when the classifier said count_objects ("how many cats today?").
     */
    static Optional<QueryIntent> historyIntent(QueryIntent intent, String query, Optional<TimePhrases.TimeRange> range) {
        String q = query.toLowerCase(Locale.ROOT);
        if (intent == QueryIntent.COUNT_OBJECTS && range.isPresent()) {
            return Optional.of(QueryIntent.COUNT_PERIOD);
        }
        // the classifier's rare confusions ("give me a description of the garage" -> when) must not turn a
        // question about now into a history lookup: when and count questions also need their words
        if (intent == QueryIntent.WHEN && !WHEN_WORDS.matcher(q).find()) {
            return Optional.empty();
        }
        if (intent == QueryIntent.COUNT_PERIOD && !COUNT_WORDS.matcher(q).find()) {
            return Optional.empty();
        }
        return intent.answeredFromHistory() ? Optional.of(intent) : Optional.empty();
    }

    /**
     * {@code configuredNow}: now in the configured zone ({@code sightline.fallback.time-zone}). Time phrases ("today",
     * "since 8 am") are read in the camera's own zone when history-service knows it (capture-service's
     * {@code time_zone}, sent with the camera's frames), else in the configured one; answers name the zone.
     */
    public Outcome answer(QueryIntent intent, String camera, String query, ZonedDateTime configuredNow) {
        Optional<QueryIntent> which = historyIntent(intent, query, TimePhrases.parse(query, configuredNow));
        if (which.isEmpty()) {
            return new NotAnswered(intent.wireName() + " is not a question about the past");
        }
        ZonedDateTime now = configuredNow.withZoneSameInstant(cameraZone(camera).orElse(configuredNow.getZone()));
        Optional<TimePhrases.TimeRange> parsed = TimePhrases.parse(query, now);
        TimePhrases.TimeRange range = parsed.orElseGet(() -> defaultRange(which.get(), now));
        ObjectVocabulary.Target target = ObjectVocabulary.target(query);
        try {
            return switch (which.get()) {
                case COUNT_PERIOD -> count(camera, target, range, now.getZone());
                case WHEN -> when(camera, query, target, range, now.getZone());
                default -> happened(camera, range, now.getZone());
            };
        } catch (IOException e) {
            return new NotAnswered("history-service did not answer (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NotAnswered("interrupted while asking history-service");
        }
    }

    /** Without a time phrase: counts and "what happened" mean today, "when" looks back a week. */
    private static TimePhrases.TimeRange defaultRange(QueryIntent intent, ZonedDateTime now) {
        if (intent == QueryIntent.WHEN) {
            return new TimePhrases.TimeRange(now.minusDays(7).toInstant(), now.toInstant(), "in the last 7 days");
        }
        return new TimePhrases.TimeRange(now.toLocalDate().atStartOfDay(now.getZone()).toInstant(), now.toInstant(), "today");
    }

    private Outcome count(String camera, ObjectVocabulary.Target target, TimePhrases.TimeRange range, ZoneId zone)
            throws IOException, InterruptedException {
        if (!target.known() || target.anything() || target.labels().isEmpty()) {
            return new NotAnswered(target.known() ? "the question names no object class to count"
                    : "'" + target.unknownWord() + "' is not an object class the detector reports");
        }
        List<String> parts = new ArrayList<>();
        List<String> basis = new ArrayList<>();
        FrameRef newest = null;
        long newestAt = Long.MIN_VALUE;
        for (String label : target.labels().stream().sorted().toList()) {
            JsonNode counts = get("/api/v1/history/counts", params("camera", camera, "label", label, "since", range.start(),
                    "until", range.end(), "bucket", "day", "zone", zone.getId()));
            long total = counts.path("total").asLong();
            parts.add(ObjectVocabulary.counted(label, total));
            JsonNode events = get("/api/v1/history/events", params("camera", camera, "label", label, "since", range.start(),
                    "until", range.end(), "limit", 5, "zone", zone.getId())).path("events");
            basis.add(total + " " + label + " event(s) in history" + (events.isEmpty() ? "" : ": " + cite(events, zone)));
            if (!events.isEmpty() && events.get(0).path("start_at").asLong() > newestAt) {
                newestAt = events.get(0).path("start_at").asLong();
                newest = frameRef(events.get(0));
            }
        }
        String text = String.join(" and ", parts) + " " + (parts.size() == 1 && parts.get(0).startsWith("1 ") ? "was" : "were")
                + " seen on " + camera + " " + range.phrase() + " (" + span(range, zone) + "), counting each appearance once.";
        return new Answered(text, "history-service events of " + camera + " " + span(range, zone) + ": " + String.join("; ", basis), newest);
    }

    private Outcome when(String camera, String query, ObjectVocabulary.Target target, TimePhrases.TimeRange range, ZoneId zone)
            throws IOException, InterruptedException {
        if (target.known() && !target.anything() && !target.labels().isEmpty()) {
            List<JsonNode> found = new ArrayList<>();
            for (String label : target.labels()) {
                get("/api/v1/history/events", params("camera", camera, "label", label, "since", range.start(), "until", range.end(),
                        "limit", 3, "zone", zone.getId())).path("events").forEach(found::add);
            }
            if (found.isEmpty()) {
                return new Answered("No " + String.join(" or ", target.labels().stream().map(ObjectVocabulary::plural).toList())
                        + " were seen on " + camera + " " + range.phrase() + " (" + span(range, zone) + ").",
                        "history-service events of " + camera + ": none matched", null);
            }
            found.sort((a, b) -> Long.compare(b.path("start_at").asLong(), a.path("start_at").asLong()));
            JsonNode last = found.get(0);
            String times = found.stream().limit(3).map(e -> between(e, zone)).collect(Collectors.joining(", "));
            String text = "A " + last.path("label").asText() + " was last seen on " + camera + " " + between(last, zone)
                    + (found.size() > 1 ? "; before that " + found.stream().skip(1).limit(2).map(e -> between(e, zone))
                    .collect(Collectors.joining(", ")) : "") + " (" + zone.getId() + " time).";
            return new Answered(text, "history-service events of " + camera + " (" + times + "): " + cite(found, zone), frameRef(last));
        }
        // no detector class named ("the delivery van"): the captions' hybrid search finds it
        JsonNode results = get("/api/v1/history/search", params("q", query, "camera", camera, "since", range.start(),
                "until", range.end(), "limit", 3, "zone", zone.getId())).path("results");
        if (results.isEmpty()) {
            return new NotAnswered("nothing in " + camera + "'s captions " + range.phrase() + " matches the question");
        }
        JsonNode best = results.get(0);
        String at = at(best.path("captured_at").asLong(), zone);
        return new Answered("The closest match on " + camera + " was at " + at + " " + zone.getId() + ": \"" + best.path("text").asText() + "\".",
                "history-service caption search (" + best.path("score").asText() + " fused score, frame "
                        + best.path("frame_id").asText() + (best.path("thumbnail_url").isTextual()
                        ? ", thumbnail " + best.path("thumbnail_url").asText() : "") + ")",
                new FrameRef(best.path("frame_id").asText(), best.path("captured_at").asLong(),
                        Math.max(0, System.currentTimeMillis() - best.path("captured_at").asLong())));
    }

    private Outcome happened(String camera, TimePhrases.TimeRange range, ZoneId zone) throws IOException, InterruptedException {
        JsonNode events = get("/api/v1/history/events", params("camera", camera, "since", range.start(), "until", range.end(),
                "limit", 30, "zone", zone.getId())).path("events");
        if (events.isEmpty()) {
            return new Answered("Nothing was recorded on " + camera + " " + range.phrase() + " (" + span(range, zone) + ").",
                    "history-service events of " + camera + ": none in the period", null);
        }
        StringBuilder listing = new StringBuilder();
        List<JsonNode> list = new ArrayList<>();
        events.forEach(list::add);
        List<JsonNode> oldestFirst = new ArrayList<>(list);
        java.util.Collections.reverse(oldestFirst);
        for (JsonNode e : oldestFirst) {
            listing.append("#").append(e.path("id").asLong()).append(' ').append(between(e, zone)).append(": ")
                    .append(e.path("kind").asText().equals("text") ? "text \"" + e.path("text").asText() + "\""
                            : e.path("kind").asText().equals("notification") ? "watch notification \"" + e.path("text").asText() + "\""
                            : e.path("peak_count").asInt() + " " + e.path("label").asText());
            if (e.path("captions").size() > 0) {
                listing.append(" (caption: \"").append(e.path("captions").get(0).asText()).append("\")");
            }
            listing.append('\n');
        }
        return new Events(listing.toString(), "history-service events of " + camera + " " + span(range, zone) + ": " + cite(list, zone),
                list.size(), frameRef(list.get(0)));
    }

    /** The camera's current time zone as history-service keeps it; empty when unknown or history does not answer. */
    Optional<ZoneId> cameraZone(String camera) {
        try {
            JsonNode zone = get("/api/v1/history/cameras/" + URLEncoder.encode(camera, StandardCharsets.UTF_8).replace("+", "%20"),
                    Map.of()).path("time_zone");
            return zone.isTextual() ? Optional.of(ZoneId.of(zone.asText())) : Optional.empty();
        } catch (IOException | java.time.DateTimeException e) {
            return Optional.empty(); // the configured zone applies; the answer names the zone it used
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private JsonNode get(String path, Map<String, Object> params) throws IOException, InterruptedException {
        String query = params.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(String.valueOf(e.getValue() instanceof Instant i ? i.toEpochMilli() : e.getValue()),
                        StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(base.orElseThrow().resolve(path + "?" + query)).timeout(timeout).GET();
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            JsonNode body = readOrNull(response.body());
            throw new IOException("history-service answered " + response.statusCode()
                    + (body != null && body.has("message") ? ": " + body.path("message").asText() : ""));
        }
        return json.readTree(response.body());
    }

    private JsonNode readOrNull(byte[] body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, Object> params(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    private static String cite(Iterable<JsonNode> events, ZoneId zone) {
        List<String> cited = new ArrayList<>();
        for (JsonNode e : events) {
            cited.add("event #" + e.path("id").asLong() + " " + between(e, zone)
                    + (e.path("peak_frame_id").isTextual() ? " frame " + e.path("peak_frame_id").asText() : "")
                    + (e.path("thumbnail_url").isTextual() ? " " + e.path("thumbnail_url").asText() : ""));
        }
        return String.join(", ", cited);
    }

    private static String between(JsonNode e, ZoneId zone) {
        long start = e.path("start_at").asLong();
        long end = e.path("end_at").asLong();
        String s = at(start, zone);
        return end - start < 60_000 ? "at " + s : "from " + s + " to " + Instant.ofEpochMilli(end).atZone(zone).format(CLOCK);
    }

    private static String at(long millis, ZoneId zone) {
        ZonedDateTime t = Instant.ofEpochMilli(millis).atZone(zone);
        return t.toLocalDate().equals(ZonedDateTime.now(zone).toLocalDate()) ? t.format(CLOCK) : t.format(DAY_CLOCK);
    }

    private static String span(TimePhrases.TimeRange range, ZoneId zone) {
        return at(range.start().toEpochMilli(), zone) + " to " + at(range.end().toEpochMilli(), zone) + " " + zone.getId();
    }

    private static FrameRef frameRef(JsonNode event) {
        if (!event.path("peak_frame_id").isTextual()) {
            return null;
        }
        long at = event.path("start_at").asLong();
        return new FrameRef(event.path("peak_frame_id").asText(), at, Math.max(0, System.currentTimeMillis() - at));
    }
}
