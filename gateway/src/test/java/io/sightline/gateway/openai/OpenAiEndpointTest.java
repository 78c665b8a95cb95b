package io.sightline.gateway.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.OPENAI;
import static io.sightline.gateway.support.GatewayTestResource.OPENAI_BATCH;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static io.sightline.gateway.support.GatewayTestResource.vlm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class OpenAiEndpointTest {

    @TestHTTPResource("/v1")
    URL v1;

    private OpenAIClient client;

    @BeforeEach
    void client() {
        vlm.clear();
        vlm.respond(r -> StandInVlmServer.Reply.text(r.images().isEmpty()
                ? "You said: " + r.text().strip()
                : "I see an image of " + r.images().get(0).width() + "x" + r.images().get(0).height() + " pixels."));
        client = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey(OPENAI).maxRetries(0).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void stockOpenAiClientGetsATextCompletionThroughTheGateway() {
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("hello gateway").build());
        assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(c -> assertThat(c).contains("hello gateway"));
        assertThat(vlm.requests()).hasSize(1);
        // vlm-service gets the model the client named, the internal token (never the caller's key),
        // the class the request is served at and the key's entitlement
        assertThat(vlm.requests().get(0).body().path("model").asText()).isEqualTo("gpt-4o");
        assertThat(vlm.requests().get(0).header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
        assertThat(vlm.requests().get(0).header("X-Sightline-Priority-Class")).isEqualTo("interactive");
        assertThat(vlm.requests().get(0).header("X-Sightline-Priority-Entitlement")).isEqualTo("interactive");
    }

    @Test
    void imagePartsReachTheVlmDecodable() throws Exception {
        byte[] png = Files.readAllBytes(TestImages.image("astronaut.png"));
        var image = TestImages.read("astronaut.png");
        String dataUri = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("any")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is in this picture?").build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(dataUri).build()).build())))
                .build());
        assertThat(vlm.requests()).hasSize(1);
        StandInVlmServer.ReceivedImage received = vlm.requests().get(0).images().get(0);
        assertThat(received.width()).isEqualTo(image.getWidth());
        assertThat(received.height()).isEqualTo(image.getHeight());
        assertThat(received.bytes()).isEqualTo(png);
        assertThat(completion.choices().get(0).message().content().orElseThrow())
                .isEqualTo("I see an image of " + image.getWidth() + "x" + image.getHeight() + " pixels.");
    }

    @Test
    void streamingCompletionArrivesAsServerSentEventChunks() {
        vlm.respond(r -> StandInVlmServer.Reply.text("one two three four"));
        String text;
        int chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("any").addUserMessage("count to four").build())) {
            List<ChatCompletionChunk> all = stream.stream().toList();
            chunks = all.size();
            text = all.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
                    .collect(Collectors.joining());
        }
        assertThat(text).isEqualTo("one two three four");
        assertThat(chunks).isGreaterThan(3);
        assertThat(vlm.requests().get(0).body().path("stream").asBoolean()).isTrue();
    }

    @Test
    void modelsListTheConfiguredVlmsModels() {
        var models = client.models().list();
        assertThat(models.data()).extracting(m -> m.id()).contains(GatewayTestResource.VLM_MODEL);
    }

    @Test
    void openAiClientWithoutAValidKeyIsRejected() {
        OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("sk-wrong-key-000000000000").maxRetries(0).build();
        try {
            assertThatThrownBy(() -> wrong.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("any").addUserMessage("hi").build()))
                    .isInstanceOf(UnauthorizedException.class)
                    .hasMessageContaining("not valid");
        } finally {
            wrong.close();
        }
        given().auth().oauth2(VIEWER).contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(403).body("error.type", equalTo("permission_error"));
    }

    @Test
    void remoteImageUrlsAndMalformedRequestsAreRefusedBeforeTheVlm() {
        given().auth().oauth2(OPENAI).contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://169.254.169.254/latest\"}}]}]}")
                .post("/v1/chat/completions").then().statusCode(400)
                .body("error.message", containsString("remote image URLs are not fetched"));
        given().auth().oauth2(OPENAI).contentType(ContentType.JSON).body("{\"messages\":[]}")
                .post("/v1/chat/completions").then().statusCode(400).body("status", equalTo(400));
        given().auth().oauth2(OPENAI).contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .queryParam("priority", "11").post("/v1/chat/completions").then().statusCode(400)
                .body("error.message", containsString("1 (interactive) to 10 (batch)"));
        assertThat(vlm.requests()).isEmpty();
    }

    @Test
    void batchKeysDefaultToLowPriorityAndOthersToHigh() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        given().auth().oauth2(OPENAI_BATCH).contentType(ContentType.JSON).body(body).post("/v1/chat/completions").then()
                .statusCode(200).header("X-Sightline-Priority", "BATCH");
        given().auth().oauth2(OPENAI).contentType(ContentType.JSON).body(body).post("/v1/chat/completions").then()
                .statusCode(200).header("X-Sightline-Priority", "INTERACTIVE");
        // priority is an entitlement: a batch key asking for 1 (interactive) is still served as batch
        given().auth().oauth2(OPENAI_BATCH).contentType(ContentType.JSON).header("X-Priority", "1").body(body)
                .post("/v1/chat/completions").then().statusCode(200).header("X-Sightline-Priority", "BATCH");
        given().auth().oauth2(OPENAI_BATCH).contentType(ContentType.JSON).queryParam("priority", "1").body(body)
                .post("/v1/chat/completions").then().statusCode(200).header("X-Sightline-Priority", "BATCH");
        // vlm-service is told the key's entitlement, so it could not be raised there either
        assertThat(vlm.requests()).last().satisfies(r -> {
            assertThat(r.header("X-Sightline-Priority-Class")).isEqualTo("batch");
            assertThat(r.header("X-Sightline-Priority-Entitlement")).isEqualTo("batch");
        });
        // an interactive key may lower its own priority
        given().auth().oauth2(OPENAI).contentType(ContentType.JSON).header("X-Priority", "10").body(body)
                .post("/v1/chat/completions").then().statusCode(200).header("X-Sightline-Priority", "BATCH");
    }

    @Test
    void vlmFailureIsAClearBadGatewayInOpenAiShape() {
        vlm.respond(r -> StandInVlmServer.Reply.error(500, "{\"error\":{\"message\":\"CUDA out of memory\"}}"));
        given().auth().oauth2(OPENAI).contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(502)
                .body("error.type", equalTo("server_error"))
                .body("error.message", containsString("VLM"));
        // streaming: the status is decided before the first byte, so a failing VLM is a real 502, not a 200 stream
        given().auth().oauth2(OPENAI).contentType(ContentType.JSON)
                .body("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(502)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("bad_gateway"));
    }
}
