package io.sightline.gateway.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.OPERATOR;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static io.sightline.gateway.support.GatewayTestResource.fallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** {@code POST /api/v1/query} with {@code Accept: text/event-stream}: fallback-service's events relayed as they come. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class QueryRouteTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String QUESTION = "{\"camera\":\"door\",\"query\":\"what is the astronaut holding?\",\"confidence\":0.2}";
    private static final String ANSWER = "{\"answer\":\"A white helmet.\",\"query_type\":\"other\",\"response_mode\":\"vlm_image\","
            + "\"confidence\":0.2,\"decision_reason\":\"confidence 0.20 < 0.40\",\"frame\":{\"id\":\"f-1\",\"captured_at\":1760000000000,"
            + "\"age_ms\":3000},\"backend\":\"vlm:stand-in\",\"processing_time_ms\":900}";

    @TestHTTPResource("/api/v1/query")
    URI query;

    record Event(String name, String data, long atNanos) {
    }

    @Test
    void relaysEachEventAsFallbackServiceSendsIt() throws Exception {
        fallback.clear();
        fallback.onEventStream("POST /api/v1/query", List.of(
                "event: token\ndata: {\"text\":\"A white\"}",
                "event: token\ndata: {\"text\":\" helmet\"}",
                "event: token\ndata: {\"text\":\".\"}",
                "event: answer\ndata: " + ANSWER), 400);
        try {
            HttpResponse<Stream<String>> response = HTTP.send(post(QUESTION).header("Authorization", "Bearer " + OPERATOR).build(),
                    HttpResponse.BodyHandlers.ofLines());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(response.headers().firstValue("X-Sightline-Priority-Class")).isPresent();
            List<Event> events = read(response);
            assertThat(events).extracting(Event::name).containsExactly("token", "token", "token", "answer");
            assertThat(events.get(3).data()).isEqualTo(ANSWER);
            // relayed chunk by chunk: the first token was in the caller's hands long before the answer
            assertThat(Duration.ofNanos(events.get(3).atNanos() - events.get(0).atNanos())).isGreaterThan(Duration.ofMillis(800));

            List<StandInService.Received> calls = fallback.received("POST", "/api/v1/query");
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).header("Accept")).isEqualTo("text/event-stream");
            assertThat(calls.get(0).header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
            assertThat(calls.get(0).header("X-Priority")).isNotBlank();
            assertThat(calls.get(0).bodyText()).contains("\"camera\":\"door\"", "\"confidence\":0.2");
        } finally {
            fallback.onJson("POST /api/v1/query", 200, ANSWER);
        }
    }

    @Test
    void refusesWithoutAKeyOrTheRoleAndPassesFallbackRefusalsOnAsJson() throws Exception {
        fallback.clear();
        HttpResponse<String> anonymous = HTTP.send(post(QUESTION).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("unauthorized");
        HttpResponse<String> viewer = HTTP.send(post(QUESTION).header("Authorization", "Bearer " + VIEWER).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(viewer.statusCode()).isEqualTo(403);
        HttpResponse<String> invalid = HTTP.send(post("{\"camera\":\"door\",\"query\":\"  \"}").header("Authorization", "Bearer " + OPERATOR)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("query is required");
        assertThat(fallback.received("POST", "/api/v1/query")).isEmpty();

        fallback.onJson("POST /api/v1/query", 404, "{\"error\":\"unknown_camera\",\"message\":\"camera 'door' is unknown\"}");
        HttpResponse<String> unknown = HTTP.send(post(QUESTION).header("Authorization", "Bearer " + OPERATOR).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(unknown.body()).contains("unknown_camera");

        // without Accept: text/event-stream the JSON route answers, as before
        fallback.onJson("POST /api/v1/query", 200, ANSWER);
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(QUESTION).post("/api/v1/query")
                .then().statusCode(200).contentType(ContentType.JSON).body("answer", equalTo("A white helmet."));
    }

    private HttpRequest.Builder post(String body) {
        return HttpRequest.newBuilder(query).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static List<Event> read(HttpResponse<Stream<String>> response) {
        List<Event> events = new ArrayList<>();
        String name = "message";
        StringBuilder data = new StringBuilder();
        for (Iterator<String> lines = response.body().iterator(); lines.hasNext(); ) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    events.add(new Event(name, data.toString(), System.nanoTime()));
                }
                name = "message";
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).stripLeading());
            }
        }
        return events;
    }
}
