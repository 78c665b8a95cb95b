package io.sightline.fallback.query;

import com.sun.net.httpserver.HttpServer;
import io.sightline.fallback.classify.QueryIntent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Time questions against a stand-in history-service (a real HTTP server on loopback): what is asked
 * (camera, label, range in the camera's zone, token) and what is answered (events counted, times, evidence).
 */
class HistoryAnswersTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private final ZonedDateTime now = ZonedDateTime.now(BERLIN).withHour(15).withMinute(30).withSecond(0).withNano(0);
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final List<URI> received = new CopyOnWriteArrayList<>();
    private final List<String> tokens = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private HistoryAnswers history;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            received.add(exchange.getRequestURI());
            tokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String body = answers.getOrDefault(exchange.getRequestURI().getPath(), "{\"error\":\"not_found\",\"message\":\"no\"}");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answers.containsKey(exchange.getRequestURI().getPath()) ? 200 : 404, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        history = new HistoryAnswers(Optional.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort())),
                Duration.ofSeconds(3), Optional.of("tok"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void howManyCatsTodayCountsEventsOfTodayInTheCamerasZoneWithEvidence() {
        long nine = now.withHour(9).withMinute(0).toInstant().toEpochMilli();
        answers.put("/api/v1/history/counts", "{\"label\":\"cat\",\"total\":3,\"buckets\":[]}");
        answers.put("/api/v1/history/events", "{\"events\":[" + event(42, "cat", nine, nine + 120_000, "5b0c7a2e-0000-4000-8000-000000000042")
                + "]}");

        var outcome = history.answer(QueryIntent.COUNT_OBJECTS, "sofa", "how many cats today?", now);

        assertThat(outcome).isInstanceOf(HistoryAnswers.Answered.class);
        var answered = (HistoryAnswers.Answered) outcome;
        assertThat(answered.text()).startsWith("3 cats were seen on sofa today");
        assertThat(answered.basis()).contains("event #42").contains("5b0c7a2e-0000-4000-8000-000000000042")
                .contains("/api/v1/history/frames/5b0c7a2e-0000-4000-8000-000000000042/thumbnail.jpg");
        assertThat(answered.evidence().id()).isEqualTo("5b0c7a2e-0000-4000-8000-000000000042");
        URI counts = received.stream().filter(u -> u.getPath().endsWith("/counts")).findFirst().orElseThrow();
        long midnight = now.toLocalDate().atStartOfDay(BERLIN).toInstant().toEpochMilli();
        assertThat(counts.getQuery()).contains("camera=sofa").contains("label=cat").contains("since=" + midnight)
                .contains("zone=Europe/Berlin");
        assertThat(tokens).containsOnly("Bearer tok");
    }

    @Test
    void whenWasAPersonAtTheDoorGivesTheNewestEventTimes() {
        long t = now.withHour(14).withMinute(3).toInstant().toEpochMilli();
        answers.put("/api/v1/history/events", "{\"events\":[" + event(7, "person", t, t + 150_000, "5b0c7a2e-0000-4000-8000-000000000007")
                + "," + event(5, "person", t - 3_600_000, t - 3_590_000, "5b0c7a2e-0000-4000-8000-000000000005") + "]}");

        var answered = (HistoryAnswers.Answered) history.answer(QueryIntent.WHEN, "door", "when was a person at the door?", now);

        assertThat(answered.text()).isEqualTo("A person was last seen on door from 14:03 to 14:05; before that at 13:03 (Europe/Berlin time).");
        assertThat(answered.evidence().id()).isEqualTo("5b0c7a2e-0000-4000-8000-000000000007");
        assertThat(calls().get(0).getQuery()).contains("label=person").contains("since=" + now.minusDays(7).toInstant().toEpochMilli());
    }

    @Test
    void whenWithoutADetectorClassSearchesTheCaptions() {
        long t = now.withHour(11).withMinute(12).toInstant().toEpochMilli();
        answers.put("/api/v1/history/search", "{\"results\":[{\"frame_id\":\"f-1\",\"captured_at\":" + t
                + ",\"text\":\"A white van is parked and a man carries a parcel.\",\"score\":0.03,"
                + "\"thumbnail_url\":\"/api/v1/history/frames/f-1/thumbnail.jpg\"}]}");

        var answered = (HistoryAnswers.Answered) history.answer(QueryIntent.WHEN, "porch", "when did the delivery come yesterday?", now);

        assertThat(answered.text()).contains("11:12").contains("parcel");
        assertThat(answered.basis()).contains("caption search").contains("thumbnail /api/v1/history/frames/f-1/thumbnail.jpg");
        assertThat(calls().get(0).getPath()).isEqualTo("/api/v1/history/search");
        assertThat(calls().get(0).getQuery()).contains("since=" + now.toLocalDate().minusDays(1).atStartOfDay(BERLIN).toInstant().toEpochMilli());
    }

    @Test
    void whatHappenedListsThePeriodsEventsOldestFirstForTheSummary() {
        long t = now.withHour(8).withMinute(0).toInstant().toEpochMilli();
        answers.put("/api/v1/history/events", "{\"events\":[" + event(9, "car", t + 3_600_000, t + 3_700_000, null) + ","
                + event(8, "person", t, t + 30_000, "5b0c7a2e-0000-4000-8000-000000000008") + "]}");

        var events = (HistoryAnswers.Events) history.answer(QueryIntent.WHAT_CHANGED, "door", "what happened this morning?", now);

        assertThat(events.count()).isEqualTo(2);
        assertThat(events.listing()).startsWith("#8 at 08:00: 1 person").contains("#9 from 09:00 to 09:01: 1 car");
        assertThat(events.basis()).contains("event #8").contains("event #9");
    }

    @Test
    void aQuestionAboutNowIsNotAHistoryQuestionAndAnUnknownCameraIsExplained() {
        assertThat(history.answer(QueryIntent.COUNT_OBJECTS, "door", "how many people are there?", now))
                .isInstanceOf(HistoryAnswers.NotAnswered.class);
        assertThat(history.answer(QueryIntent.WHEN, "garage", "give me a description of the garage", now))
                .isInstanceOf(HistoryAnswers.NotAnswered.class);
        assertThat(received).as("no history call for a question about now").isEmpty();
        var outcome = history.answer(QueryIntent.COUNT_PERIOD, "nowhere", "how many cars this week?", now);
        assertThat(((HistoryAnswers.NotAnswered) outcome).reason()).contains("404");
    }

    /** What was asked of history, without the camera zone lookups (GET /api/v1/history/cameras/{camera}). */
    private List<URI> calls() {
        return received.stream().filter(u -> !u.getPath().startsWith("/api/v1/history/cameras/")).toList();
    }

    private static String event(long id, String label, long start, long end, String peak) {
        return "{\"id\":" + id + ",\"camera\":\"c\",\"kind\":\"object\",\"label\":\"" + label + "\",\"start_at\":" + start
                + ",\"end_at\":" + end + ",\"frames\":3,\"peak_count\":1,\"captions\":[]"
                + (peak == null ? ",\"peak_frame_id\":null,\"thumbnail_url\":null"
                : ",\"peak_frame_id\":\"" + peak + "\",\"thumbnail_url\":\"/api/v1/history/frames/" + peak + "/thumbnail.jpg\"") + "}";
    }

}
