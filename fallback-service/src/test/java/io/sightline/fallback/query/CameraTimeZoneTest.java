package io.sightline.fallback.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sightline.fallback.classify.QueryIntent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "How many cats today?" depends on where the camera is: the same stored events, asked at the same instant, count
 * differently for a camera in Pacific/Auckland and one in America/Los_Angeles, because "today" starts at the
 * camera's own midnight. A stand-in history-service (real HTTP on loopback) keeps two cat events and the cameras'
 * zones, and answers counts and events by the since/until it is asked for, as history-service does.
 */
class CameraTimeZoneTest {

    /** 20:00 UTC on 10 March 2026: 09:00 on 11 March in Auckland (NZDT, +13), 13:00 on 10 March in Los Angeles (PDT, -7). */
    private static final Instant NOW = Instant.parse("2026-03-10T20:00:00Z");
    /** 22:00 on 10 March in Auckland (yesterday there), 02:00 on 10 March in Los Angeles (today there). */
    private static final long EARLY_CAT = Instant.parse("2026-03-10T09:00:00Z").toEpochMilli();
    /** Today in both places. */
    private static final long LATE_CAT = Instant.parse("2026-03-10T15:00:00Z").toEpochMilli();
    private static final Map<String, String> ZONES = Map.of("auckland-door", "Pacific/Auckland", "la-door", "America/Los_Angeles");

    private final List<URI> received = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private HistoryAnswers history;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        history = new HistoryAnswers(Optional.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort())),
                Duration.ofSeconds(3), Optional.empty());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void todayStartsAtTheCamerasOwnMidnight() {
        ZonedDateTime configuredNow = NOW.atZone(ZoneId.of("UTC"));

        var auckland = (HistoryAnswers.Answered) history.answer(QueryIntent.COUNT_OBJECTS, "auckland-door", "how many cats today?", configuredNow);
        var la = (HistoryAnswers.Answered) history.answer(QueryIntent.COUNT_OBJECTS, "la-door", "how many cats today?", configuredNow);

        assertThat(auckland.text()).startsWith("1 cat was seen on auckland-door today").contains("Pacific/Auckland");
        assertThat(la.text()).startsWith("2 cats were seen on la-door today").contains("America/Los_Angeles");
        // the ranges asked for: from the camera's local midnight, in its zone
        assertThat(countsQuery("auckland-door")).contains("since=" + Instant.parse("2026-03-10T11:00:00Z").toEpochMilli())
                .contains("zone=Pacific/Auckland");
        assertThat(countsQuery("la-door")).contains("since=" + Instant.parse("2026-03-10T07:00:00Z").toEpochMilli())
                .contains("zone=America/Los_Angeles");
    }

    @Test
    void aCameraWithoutAKnownZoneUsesTheConfiguredOneAndSaysSo() {
        var answer = (HistoryAnswers.Answered) history.answer(QueryIntent.COUNT_OBJECTS, "garage", "how many cats today?",
                NOW.atZone(ZoneId.of("Europe/Berlin")));
        // Berlin's 10 March started at 23:00 UTC on the 9th: both cats
        assertThat(answer.text()).startsWith("2 cats were seen on garage today").contains("Europe/Berlin");
        assertThat(countsQuery("garage")).contains("zone=Europe/Berlin");
    }

    @Test
    void sinceEightAmIsEightInTheCamerasZone() {
        ZonedDateTime configuredNow = NOW.atZone(ZoneId.of("UTC"));
        var la = (HistoryAnswers.Answered) history.answer(QueryIntent.COUNT_OBJECTS, "la-door", "how many cats since 8 am?", configuredNow);
        // 08:00 PDT = 15:00 UTC: the late cat only
        assertThat(la.text()).startsWith("1 cat was seen on la-door").contains("America/Los_Angeles");
        assertThat(countsQuery("la-door")).contains("since=" + LATE_CAT);
    }

    private String countsQuery(String camera) {
        return received.stream().filter(u -> u.getPath().endsWith("/counts")).map(URI::getRawQuery)
                .map(q -> URLDecoder.decode(q, StandardCharsets.UTF_8)).filter(q -> q.contains("camera=" + camera))
                .findFirst().orElseThrow();
    }

    private void answer(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        received.add(uri);
        String path = uri.getPath();
        Map<String, String> q = uri.getRawQuery() == null ? Map.of() : Arrays.stream(uri.getRawQuery().split("&"))
                .map(p -> p.split("=", 2)).filter(p -> p.length == 2)
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8), (a, b) -> b));
        int status = 200;
        String body;
        if (path.startsWith("/api/v1/history/cameras/")) {
            String camera = path.substring("/api/v1/history/cameras/".length());
            body = ZONES.containsKey(camera) ? "{\"camera\":\"" + camera + "\",\"time_zone\":\"" + ZONES.get(camera) + "\"}"
                    : "{\"camera\":\"" + camera + "\",\"time_zone\":null}";
        } else {
            long since = Long.parseLong(q.getOrDefault("since", "0"));
            long until = Long.parseLong(q.getOrDefault("until", Long.toString(Long.MAX_VALUE)));
            List<Long> cats = List.of(LATE_CAT, EARLY_CAT).stream().filter(t -> t >= since && t <= until).toList();
            if (path.endsWith("/counts")) {
                body = "{\"label\":\"cat\",\"total\":" + cats.size() + ",\"buckets\":[]}";
            } else if (path.endsWith("/events")) {
                body = "{\"events\":[" + cats.stream().map(t -> "{\"id\":" + (t / 1000) + ",\"kind\":\"object\",\"label\":\"cat\",\"start_at\":"
                        + t + ",\"end_at\":" + (t + 30_000) + ",\"peak_count\":1,\"captions\":[]}").collect(Collectors.joining(",")) + "]}";
            } else {
                status = 404;
                body = "{\"error\":\"not_found\",\"message\":\"no\"}";
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
