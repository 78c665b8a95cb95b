package io.sightline.notify.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sightline.common.event.NotificationRaised;
import io.sightline.notify.sender.WebhookSignature;
import io.sightline.notify.support.HttpReceiver;
import io.sightline.notify.support.Notifications;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestKafka;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/** Channel configuration at runtime: validation naming the field, secrets masked on every read, the test route. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class ChannelConfigTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static void refused(String name, Object body, String field) {
        given().contentType(ContentType.JSON).body(body).put("/api/v1/notification-channels/" + name)
                .then().statusCode(400)
                .body("field", is(field))
                .body("message", startsWith(field + ": "));
    }

    @Test
    void invalidConfigIsRefusedNamingTheField() {
        refused("Bad Name", Map.of("type", "webhook", "config", Map.of()), "name");
        refused("c1", Map.of("config", Map.of()), "type");
        refused("c1", Map.of("type", "pager", "config", Map.of()), "type");
        refused("c1", Map.of("type", "webhook"), "config");
        refused("c1", Map.of("type", "webhook", "config", Map.of("secret", "0123456789abcdef")), "config.url");
        refused("c1", Map.of("type", "webhook", "config", Map.of("url", "ftp://example.org/x", "secret", "0123456789abcdef")), "config.url");
        refused("c1", Map.of("type", "webhook", "config", Map.of("url", "http://169.254.169.254/latest", "secret", "0123456789abcdef")), "config.url");
        refused("c1", Map.of("type", "webhook", "config", Map.of("url", "http://[fe80::1]/x", "secret", "0123456789abcdef")), "config.url");
        refused("c1", Map.of("type", "webhook", "config", Map.of("url", "http://127.0.0.1:9/x", "secret", "short")), "config.secret");
        refused("c1", Map.of("type", "webhook", "config", Map.of("url", "http://127.0.0.1:9/x", "secret", "0123456789abcdef", "timeout_ms", 5)), "config.timeout_ms");
        refused("c1", Map.of("type", "webhook", "config", Map.of("url", "http://127.0.0.1:9/x", "secret", "0123456789abcdef", "colour", "red")), "config.colour");
        refused("c1", Map.of("type", "webhook", "config", Map.of("url", "http://127.0.0.1:9/x", "secret", "0123456789abcdef"), "default", "yes"), "default");
        refused("c1", Map.of("type", "mqtt", "config", Map.of("url", "http://127.0.0.1:1883")), "config.url");
        refused("c1", Map.of("type", "mqtt", "config", Map.of("url", "tcp://127.0.0.1:1883", "topic_prefix", "a/#")), "config.topic_prefix");
        refused("c1", Map.of("type", "ntfy", "config", Map.of("url", "http://127.0.0.1:9")), "config.topic");
        refused("c1", Map.of("type", "ntfy", "config", Map.of("url", "http://127.0.0.1:9", "topic", "a b")), "config.topic");
        given().contentType(ContentType.JSON).body("{\"type\": ").put("/api/v1/notification-channels/c1").then().statusCode(400);
        given().get("/api/v1/notification-channels/c1").then().statusCode(404);
    }

    @Test
    void secretsAreMaskedOnEveryReadAndKeptWhenGivenBackMasked() {
        String secret = "webhook-secret-value-1234";
        try (HttpReceiver receiver = HttpReceiver.start()) {
            String put = given().contentType(ContentType.JSON)
                    .body(Map.of("type", "webhook", "config", Map.of("url", receiver.url("/m"), "secret", secret)))
                    .put("/api/v1/notification-channels/masked-hook").then().statusCode(200)
                    .body("config.secret", is("***")).body("config.url", is(receiver.url("/m"))).extract().asString();
            assertThat(put).doesNotContain(secret);
            given().contentType(ContentType.JSON)
                    .body(Map.of("type", "mqtt", "config", Map.of("url", "tcp://127.0.0.1:1883", "username", "ha", "password", "mqtt-pass-987")))
                    .put("/api/v1/notification-channels/masked-mqtt").then().statusCode(200).body("config.password", is("***"));
            given().contentType(ContentType.JSON)
                    .body(Map.of("type", "ntfy", "config", Map.of("url", "http://127.0.0.1:9", "topic", "door", "token", "tk_ntfy_secret_55")))
                    .put("/api/v1/notification-channels/masked-ntfy").then().statusCode(200).body("config.token", is("***"));

            String list = given().get("/api/v1/notification-channels").then().statusCode(200).extract().asString();
            assertThat(list).contains("masked-hook", "masked-mqtt", "masked-ntfy", "\"type\":\"ntfy\"")
                    .doesNotContain(secret, "mqtt-pass-987", "tk_ntfy_secret_55");
            String one = given().get("/api/v1/notification-channels/masked-mqtt").then().statusCode(200)
                    .body("config.username", is("ha")).extract().asString();
            assertThat(one).doesNotContain("mqtt-pass-987");

            // edit what was read (secret "***") and make it the default: the stored secret still signs
            given().contentType(ContentType.JSON)
                    .body(Map.of("type", "webhook", "config", Map.of("url", receiver.url("/m2"), "secret", "***"), "default", false))
                    .put("/api/v1/notification-channels/masked-hook").then().statusCode(200).body("config.url", is(receiver.url("/m2")));
            NotificationRaised n = Notifications.raise("hall", List.of("masked-hook"));
            await().atMost(WAIT).until(() -> receiver.requests().size() == 1);
            HttpReceiver.Request r = receiver.requests().get(0);
            assertThat(r.path()).isEqualTo("/m2");
            assertThat(r.header(WebhookSignature.SIGNATURE))
                    .isEqualTo(WebhookSignature.sign(secret, Long.parseLong(r.header(WebhookSignature.TIMESTAMP)), r.body()));
            assertThat(r.header(WebhookSignature.IDEMPOTENCY_KEY)).isEqualTo(n.notificationId());
        } finally {
            for (String c : List.of("masked-hook", "masked-mqtt", "masked-ntfy")) {
                given().delete("/api/v1/notification-channels/" + c);
            }
        }
        given().get("/api/v1/notification-channels/masked-hook").then().statusCode(404);
        assertThat(TestKafka.topicConfig("notify.channels").get("cleanup.policy")).isEqualTo("compact");
    }

    @Test
    void theTestRouteSendsOneNotificationNowAndSaysWhetherItArrived() {
        try (HttpReceiver receiver = HttpReceiver.start(200, 503)) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("type", "webhook", "config", Map.of("url", receiver.url("/t"), "secret", "0123456789abcdef")))
                    .put("/api/v1/notification-channels/hook-test").then().statusCode(200);
            given().post("/api/v1/notification-channels/hook-test/test").then().statusCode(200).body("delivered", is(true));
            assertThat(new io.restassured.path.json.JsonPath(receiver.requests().get(0).text()).getBoolean("test")).isTrue();
            given().post("/api/v1/notification-channels/hook-test/test").then().statusCode(502)
                    .body("delivered", is(false)).body("message", org.hamcrest.Matchers.containsString("HTTP 503"));
            given().post("/api/v1/notification-channels/nope/test").then().statusCode(404);
        } finally {
            given().delete("/api/v1/notification-channels/hook-test");
        }
    }

    @Test
    void notificationsListRefusesABadLimit() {
        given().queryParam("limit", "0").get("/api/v1/notifications").then().statusCode(400).body("field", is("limit"));
        given().queryParam("limit", "x").get("/api/v1/notifications").then().statusCode(400).body("field", is("limit"));
        given().queryParam("limit", "5").get("/api/v1/notifications").then().statusCode(200);
    }
}
