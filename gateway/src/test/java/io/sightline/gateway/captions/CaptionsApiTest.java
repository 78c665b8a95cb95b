package io.sightline.gateway.captions;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class CaptionsApiTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void historyIsReadFromHistoryServiceWithTheRangeInEpochMillisAndTheInternalToken() {
        StandInService history = GatewayTestResource.history;
        history.clear();
        String camera = "hist-" + UUID.randomUUID().toString().substring(0, 8);
        history.on("GET /api/v1/history/captions", r -> StandInService.Answer.json(200,
                "{\"captions\":[{\"schema\":1,\"frame_id\":\"f-2\",\"camera\":\"" + camera + "\",\"text\":\"caption number 2\"},"
                        + "{\"schema\":1,\"frame_id\":\"f-1\",\"camera\":\"" + camera + "\",\"text\":\"caption number 1\"}],"
                        + "\"count\":2,\"limit\":3,\"since\":1777593600000,\"until\":1777597200000,\"truncated\":false}"));

        given().auth().oauth2(VIEWER).queryParam("camera", camera).queryParam("since", "2026-05-01T00:00:00Z")
                .queryParam("until", 1777597200000L).queryParam("limit", 3).get("/api/v1/captions").then()
                .statusCode(200)
                .body("count", equalTo(2))
                .body("captions[0].text", equalTo("caption number 2"))
                .body("captions[1].frame_id", equalTo("f-1"));

        StandInService.Received call = history.received("GET", "/api/v1/history/captions").get(0);
        assertThat(call.query()).contains("camera=" + camera).contains("since=1777593600000").contains("until=1777597200000")
                .contains("limit=3");
        assertThat(call.header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
    }

    @Test
    void historyRefusesBadParametersClearly() {
        given().auth().oauth2(VIEWER).queryParam("limit", 501).get("/api/v1/captions").then()
                .statusCode(400).body("message", containsString("1 to 500"));
        given().auth().oauth2(VIEWER).queryParam("since", "yesterday").get("/api/v1/captions").then()
                .statusCode(400).body("message", containsString("ISO-8601"));
        given().auth().oauth2(VIEWER).queryParam("since", "2026-05-02T00:00:00Z").queryParam("until", "2026-05-01T00:00:00Z")
                .get("/api/v1/captions").then().statusCode(400).body("message", containsString("after"));
    }

    @Test
    void liveStreamRelaysHistoryServicesStreamAndPassesTheLastEventIdOn() throws Exception {
        StandInService history = GatewayTestResource.history;
        history.clear();
        String camera = "live-" + UUID.randomUUID().toString().substring(0, 8);
        String caption = "{\"schema\":1,\"frame_id\":\"f-42\",\"camera\":\"" + camera + "\",\"text\":\"A person is standing at the door.\"}";
        history.on("GET /api/v1/history/captions/stream", r -> new StandInService.Answer(200, "text/event-stream",
                ("event: caption\nid: 42\ndata: " + caption + "\n\nevent: heartbeat\ndata: {\"at\":1}\n\n").getBytes(StandardCharsets.UTF_8)));

        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + root.getPort() + "/api/v1/captions/stream?camera=" + camera))
                .header("Authorization", "Bearer " + VIEWER).header("Accept", "text/event-stream").header("Last-Event-ID", "41").build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> lines = response.body().lines().map(String::strip).toList();
        assertThat(lines).containsSubsequence("id:42", "event:caption", "data:" + caption);
        assertThat(lines).contains("event:heartbeat");
        StandInService.Received call = history.received("GET", "/api/v1/history/captions/stream").get(0);
        assertThat(call.query()).contains("camera=" + camera);
        assertThat(call.header("Last-Event-ID")).isEqualTo("41");
        assertThat(call.header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
    }

    @Test
    void liveStreamRefusesALastEventIdThatIsNotOneOfItsIds() {
        given().auth().oauth2(VIEWER).header("Last-Event-ID", "yesterday").accept("text/event-stream").get("/api/v1/captions/stream")
                .then().statusCode(400).body("message", containsString("Last-Event-ID"));
    }
}
