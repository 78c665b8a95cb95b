package io.sightline.fallback.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.fallback.support.Events;
import io.sightline.fallback.support.InjectStandInVlm;
import io.sightline.fallback.support.StandInVlmResource;
import io.sightline.latest.LatestFrameCache;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/** {@code POST /api/v1/query} with {@code Accept: text/event-stream}: the VLM's answer as it is generated. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(StandInVlmResource.class)
class QueryStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ANSWER = "The astronaut holds a white helmet under the left arm, in front of the flag.";

    @InjectStandInVlm
    StandInVlmServer vlm;

    @Inject
    LatestFrameCache cache;

    @TestHTTPResource("/api/v1/query")
    URI queryUri;

    /** One Server-Sent Event as it arrived. */
    record Event(String name, JsonNode data, long atNanos) {
    }

    @BeforeEach
    void ready() {
        vlm.clear();
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void streamsTheVlmAnswerPieceByPieceThenTheSameAnswerTheJsonRouteGives() throws Exception {
        String camera = framed("stream");
        // 15 words, 30 ms apart: well inside the 2 s timeout of these tests
        vlm.respond(r -> StandInVlmServer.Reply.slowlyStreamed(ANSWER, 30));
        Map<String, Object> question = Map.of("camera", camera, "query", "what is the astronaut holding?", "confidence", 0.2);
        // the JSON route first (it also warms the connection to the VLM up)
        Response json = QueryFlowTest.query(question);
        assertThat(json.statusCode()).isEqualTo(200);
        JsonNode whole = JSON.readTree(json.asString());

        HttpResponse<Stream<String>> response = post(question, "text/event-stream");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Event> events = read(response);

        List<Event> tokens = events.stream().filter(e -> e.name().equals("token")).toList();
        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("answer");
        assertThat(events).filteredOn(e -> !e.name().equals("token")).hasSize(1);
        assertThat(tokens).hasSizeGreaterThan(5);
        assertThat(tokens.stream().map(t -> t.data().path("text").asText()).collect(Collectors.joining()))
                .isEqualTo(last.data().path("answer").asText()).isEqualTo(ANSWER);
        // the pieces reached the caller while the model was still generating, not in one burst at the end
        assertThat(Duration.ofNanos(last.atNanos() - tokens.get(0).atNanos())).isGreaterThan(Duration.ofMillis(250));
        assertThat(tokens.stream().filter(t -> Duration.ofNanos(last.atNanos() - t.atNanos()).compareTo(Duration.ofMillis(100)) > 0))
                .as("pieces that arrived well before the answer").hasSizeGreaterThan(2);

        // the VLM was asked once, streaming, as the JSON route asks it: the internal token, the interactive class, the frame
        assertThat(vlm.requests()).hasSize(2);
        assertThat(vlm.requests().get(0).body().path("stream").asBoolean()).isFalse();
        StandInVlmServer.ReceivedRequest asked = vlm.requests().get(1);
        assertThat(asked.body().path("stream").asBoolean()).isTrue();
        assertThat(asked.header("Authorization")).isEqualTo("Bearer " + StandInVlmResource.TOKEN);
        assertThat(asked.header("X-Sightline-Priority-Class")).isEqualTo("interactive");
        assertThat(asked.images()).hasSize(1);

        JsonNode streamed = last.data();
        assertThat(fieldNames(streamed)).isEqualTo(fieldNames(whole));
        for (String field : List.of("answer", "query_type", "response_mode", "confidence", "backend")) {
            assertThat(streamed.path(field)).as(field).isEqualTo(whole.path(field));
        }
        assertThat(streamed.path("frame").path("id")).isEqualTo(whole.path("frame").path("id"));
        // the same reason but for the frame's age, a few seconds later
        assertThat(streamed.path("decision_reason").asText().replaceAll("\\(\\d+ \\w+ old\\)", "(age)")).contains("latest frame")
                .isEqualTo(whole.path("decision_reason").asText().replaceAll("\\(\\d+ \\w+ old\\)", "(age)"));
    }

    @Test
    void aVlmThatHangsEndsTheStreamWithAnErrorEventWithinTheTimeout() throws Exception {
        String camera = framed("hang");
        // hangs far longer than the timeout, so an end within a few seconds of it can only be the timeout's
        vlm.respond(r -> StandInVlmServer.Reply.hang(30_000));
        Map<String, Object> question = Map.of("camera", camera, "query", "what is on the table?", "confidence", 0.2);

        long start = System.nanoTime();
        List<Event> events = read(post(question, "text/event-stream"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(StandInVlmResource.TIMEOUT_MS + 5000));
        assertThat(events).extracting(Event::name).containsExactly("error");
        JsonNode error = events.get(0).data();
        assertThat(error.path("response_mode").asText()).isEqualTo("error");
        assertThat(error.path("answer").isNull()).isTrue();
        assertThat(error.path("error").path("code").asText()).isEqualTo("vlm_timeout");
        Response json = QueryFlowTest.query(question);
        assertThat(json.statusCode()).isEqualTo(504);
        assertThat(fieldNames(error)).isEqualTo(fieldNames(JSON.readTree(json.asString())));

        // a model that stalls after its first words: the pieces so far, then the error, still within the timeout
        vlm.respond(r -> StandInVlmServer.Reply.slowlyStreamed("The table holds a cup", 30_000));
        start = System.nanoTime();
        List<Event> stalled = read(post(question, "text/event-stream"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(StandInVlmResource.TIMEOUT_MS + 5000));
        assertThat(stalled).extracting(Event::name).containsExactly("token", "error");
        assertThat(stalled.get(1).data().path("error").path("code").asText()).isEqualTo("vlm_timeout");
        assertThat(fieldNames(stalled.get(1).data())).isEqualTo(fieldNames(error));
    }

    @Test
    void aVlmServerErrorIsAnErrorEventWithTheJsonRoutesBody() throws Exception {
        String camera = framed("broken");
        vlm.respond(r -> StandInVlmServer.Reply.error(500, "{\"error\":{\"message\":\"CUDA out of memory\"}}"));

        List<Event> events = read(post(Map.of("camera", camera, "query", "what is the cat doing?", "confidence", 0.2), "text/event-stream"));

        assertThat(events).extracting(Event::name).containsExactly("error");
        assertThat(events.get(0).data().path("error").path("code").asText()).isEqualTo("vlm_server_error");
        assertThat(events.get(0).data().path("decision_reason").asText()).contains("the VLM failed");
    }

    @Test
    void aTemplateAnswerIsOneAnswerEvent() throws Exception {
        String camera = QueryFlowTest.camera("tpl");
        CapturedFrame sent = TestKafka.sendFrame(camera, TestImages.jpeg("astronaut.png").bytes(), 512, 512);
        Events.detections(camera, sent.frameId().toString(), sent.capturedAt(), List.of("person"), List.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.detections(camera).isPresent());

        List<Event> events = read(post(Map.of("camera", camera, "query", "how many people are there?", "confidence", 0.9),
                "text/event-stream"));

        assertThat(events).extracting(Event::name).containsExactly("answer");
        assertThat(events.get(0).data().path("response_mode").asText()).isEqualTo("template");
        assertThat(events.get(0).data().path("answer").asText()).startsWith("1 person is visible on " + camera);
        assertThat(vlm.requests()).isEmpty();
    }

    @Test
    void whereIsAnswersCarryTheBoxAndItsCentreInFractionsOfTheFrame() throws Exception {
        String camera = framed("where");
        // Qwen2.5-VL's grounding answer: pixels of the 512x512 image it was sent
        String grounded = "The astronaut stands in the middle of the frame. {\"bbox_2d\": [128, 64, 384, 448], \"label\": \"astronaut\"}";
        vlm.respond(r -> StandInVlmServer.Reply.slowlyStreamed(grounded, 20));
        Map<String, Object> question = Map.of("camera", camera, "query", "where is the astronaut?", "confidence", 0.2);

        Response json = QueryFlowTest.query(question);
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.jsonPath().getDouble("box.x")).isCloseTo(0.25, within(1e-4));
        assertThat(json.jsonPath().getDouble("box.y")).isCloseTo(0.125, within(1e-4));
        assertThat(json.jsonPath().getDouble("box.width")).isCloseTo(0.5, within(1e-4));
        assertThat(json.jsonPath().getDouble("box.height")).isCloseTo(0.75, within(1e-4));
        assertThat(json.jsonPath().getString("box.label")).isEqualTo("astronaut");
        assertThat(json.jsonPath().getString("box.rule")).contains("bbox_2d", "pixels of the 512x512 image");
        assertThat(json.jsonPath().getDouble("point.x")).isCloseTo(0.5, within(1e-4));
        assertThat(json.jsonPath().getDouble("point.y")).isCloseTo(0.5, within(1e-4));
        // the prompt asked for the box in pixels of the image sent
        assertThat(vlm.requests().get(0).text()).contains("bbox_2d", "512x512");

        List<Event> events = read(post(question, "text/event-stream"));
        JsonNode answer = events.get(events.size() - 1).data();
        assertThat(answer.path("box")).isEqualTo(JSON.readTree(json.asString()).path("box"));
        assertThat(answer.path("point")).isEqualTo(JSON.readTree(json.asString()).path("point"));

        // a point only: no box, the point as given (0-1000)
        vlm.respond(r -> StandInVlmServer.Reply.text("It is here: <point>700,250</point>"));
        Response pointed = QueryFlowTest.query(question);
        assertThat(pointed.jsonPath().getDouble("point.x")).isCloseTo(0.7, within(1e-4));
        assertThat(pointed.jsonPath().getMap("$")).doesNotContainKey("box");
        // not a "where" question: neither
        Response other = QueryFlowTest.query(Map.of("camera", camera, "query", "what is the astronaut holding?", "confidence", 0.2));
        assertThat(other.jsonPath().getMap("$")).doesNotContainKeys("box", "point");
    }

    @Test
    void refusalsAreJsonBeforeAnyEvent() throws Exception {
        HttpResponse<String> unknown = HTTP.send(request(Map.of("camera", "no-such-camera", "query", "how many people?"), "text/event-stream")
                .header("Authorization", "Bearer " + StandInVlmResource.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).isEqualTo("unknown_camera");

        HttpResponse<String> noToken = HTTP.send(request(Map.of("camera", "x", "query", "hi"), "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);

        HttpResponse<String> blank = HTTP.send(request(Map.of("camera", "x", "query", " "), "text/event-stream")
                .header("Authorization", "Bearer " + StandInVlmResource.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(blank.body()).contains("query is required");
        assertThat(vlm.requests()).isEmpty();
    }

    private String framed(String prefix) {
        String camera = QueryFlowTest.camera(prefix);
        CapturedFrame sent = TestKafka.sendFrame(camera, TestImages.jpeg("astronaut.png").bytes(), 512, 512);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> cache.frame(camera).map(f -> f.frameId().equals(sent.frameId())).orElse(false));
        return camera;
    }

    private HttpRequest.Builder request(Map<String, Object> body, String accept) throws Exception {
        return HttpRequest.newBuilder(queryUri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }

    private HttpResponse<Stream<String>> post(Map<String, Object> body, String accept) throws Exception {
        return HTTP.send(request(body, accept).header("Authorization", "Bearer " + StandInVlmResource.TOKEN).build(),
                HttpResponse.BodyHandlers.ofLines());
    }

    /** The stream's events in order, each stamped when its blank line arrived. */
    static List<Event> read(HttpResponse<Stream<String>> response) throws Exception {
        List<Event> events = new ArrayList<>();
        String name = "message";
        StringBuilder data = new StringBuilder();
        for (Iterator<String> lines = response.body().iterator(); lines.hasNext(); ) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    events.add(new Event(name, JSON.readTree(data.toString()), System.nanoTime()));
                }
                name = "message";
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).stripLeading());
            }
        }
        if (!data.isEmpty()) {
            events.add(new Event(name, JSON.readTree(data.toString()), System.nanoTime()));
        }
        return events;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.remove("processing_time_ms");
        names.add("processing_time_ms");
        return names.stream().sorted().toList();
    }
}
