package io.sightline.notify.delivery;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.kafka.Topics;
import io.sightline.notify.sender.WebhookSignature;
import io.sightline.notify.support.HttpReceiver;
import io.sightline.notify.support.Notifications;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhook delivery against real HTTP receivers on loopback and the in-JVM broker. The test profile retries
 * after 0.2 s (doubling, capped at 1 s), times a request out after 1 s and gives up after 6 s.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class WebhookDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SECRET = "s3cret-for-webhook-signing";

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    static String webhook(String name, String url) {
        given().contentType(ContentType.JSON)
                .body(Map.of("type", "webhook", "config", Map.of("url", url, "secret", SECRET), "default", false))
                .put("/api/v1/notification-channels/" + name)
                .then().statusCode(200);
        return name;
    }

    static JsonPath notificationOf(String jobId) {
        return given().queryParam("job", jobId).get("/api/v1/notifications").then().statusCode(200).extract().jsonPath();
    }

    static String stateOf(String jobId) {
        JsonPath page = notificationOf(jobId);
        return page.getList("notifications").isEmpty() ? null : page.getString("notifications[0].state");
    }

    @Test
    void deliversASignedNotificationWithItsFrameReference() {
        try (HttpReceiver receiver = HttpReceiver.start()) {
            String channel = webhook("hook-signed", receiver.url("/hooks/sightline?src=test"));
            NotificationRaised n = Notifications.raise("porch", List.of(channel));

            await().atMost(WAIT).until(() -> receiver.requests().size() == 1);
            HttpReceiver.Request r = receiver.requests().get(0);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/hooks/sightline?src=test");
            assertThat(r.header("Content-Type")).startsWith("application/json");
            assertThat(r.header(WebhookSignature.IDEMPOTENCY_KEY)).isEqualTo(n.notificationId());
            String ts = r.header(WebhookSignature.TIMESTAMP);
            assertThat(Math.abs(Long.parseLong(ts) - System.currentTimeMillis() / 1000)).isLessThan(60);
            // what a receiver does: recompute the HMAC over timestamp + "." + raw body with the shared secret
            assertThat(r.header(WebhookSignature.SIGNATURE)).isEqualTo(WebhookSignature.sign(SECRET, Long.parseLong(ts), r.body()));
            assertThat(r.header(WebhookSignature.SIGNATURE)).isNotEqualTo(WebhookSignature.sign("another-secret-entirely", Long.parseLong(ts), r.body()));
            JsonPath body = new JsonPath(r.text());
            assertThat(body.getString("notification_id")).isEqualTo(n.notificationId());
            assertThat(body.getString("job_id")).isEqualTo(n.jobId());
            assertThat(body.getString("camera")).isEqualTo("porch");
            assertThat(body.getString("condition")).isEqualTo(n.condition());
            assertThat(body.getString("message")).isEqualTo(n.message());
            assertThat(body.getString("frame_id")).isEqualTo(n.frameId());
            assertThat(body.getString("thumbnail_url")).isEqualTo(n.thumbnailUrl());
            assertThat(body.getLong("at")).isEqualTo(n.at());

            await().atMost(WAIT).until(() -> "delivered".equals(stateOf(n.jobId())));
            JsonPath page = notificationOf(n.jobId());
            assertThat(page.getString("notifications[0].notification_id")).isEqualTo(n.notificationId());
            assertThat(page.getString("notifications[0].frame_id")).isEqualTo(n.frameId());
            assertThat(page.getString("notifications[0].deliveries[0].channel")).isEqualTo(channel);
            assertThat(page.getString("notifications[0].deliveries[0].type")).isEqualTo("webhook");
            assertThat(page.getString("notifications[0].deliveries[0].state")).isEqualTo("delivered");
            assertThat(page.getInt("notifications[0].deliveries[0].attempts")).isEqualTo(1);
            assertThat(page.getLong("notifications[0].deliveries[0].delivered_at")).isGreaterThanOrEqualTo(n.at());

            // the same record again (a producer retry, a replay): recorded once, not delivered a second time
            Notifications.send(n.camera(), n);
            NotificationRaised marker = Notifications.raise("porch", List.of(channel));
            await().atMost(WAIT).until(() -> receiver.requests().size() == 2);
            assertThat(receiver.requests().get(1).header(WebhookSignature.IDEMPOTENCY_KEY)).isEqualTo(marker.notificationId());
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.requests().size() == 2);
            assertThat(notificationOf(n.jobId()).getList("notifications")).hasSize(1);
        }
    }

    @Test
    void retriesAfterA500WithTheSameIdempotencyKey() {
        try (HttpReceiver receiver = HttpReceiver.start(500)) {
            String channel = webhook("hook-flaky", receiver.url("/flaky"));
            NotificationRaised n = Notifications.raise("garage", List.of(channel));

            await().atMost(WAIT).until(() -> "delivered".equals(stateOf(n.jobId())));
            assertThat(receiver.requests()).hasSize(2);
            assertThat(receiver.requests()).extracting(r -> r.header(WebhookSignature.IDEMPOTENCY_KEY))
                    .containsOnly(n.notificationId());
            // a retry is signed afresh (its own timestamp) and still verifies
            HttpReceiver.Request retry = receiver.requests().get(1);
            assertThat(retry.header(WebhookSignature.SIGNATURE))
                    .isEqualTo(WebhookSignature.sign(SECRET, Long.parseLong(retry.header(WebhookSignature.TIMESTAMP)), retry.body()));
            assertThat(retry.at() - receiver.requests().get(0).at()).isGreaterThanOrEqualTo(100); // backed off (0.2 s less jitter)
            JsonPath page = notificationOf(n.jobId());
            assertThat(page.getInt("notifications[0].deliveries[0].attempts")).isEqualTo(2);
            assertThat(page.getString("notifications[0].deliveries[0].last_error")).contains("HTTP 500");
        }
    }

    @Test
    void aReceiverThatHangsTimesOutAndIsRetried() {
        try (HttpReceiver receiver = HttpReceiver.start(HttpReceiver.HANG)) {
            String channel = webhook("hook-hangs", receiver.url("/slow"));
            NotificationRaised n = Notifications.raise("yard", List.of(channel));

            await().atMost(WAIT).until(() -> "delivered".equals(stateOf(n.jobId())));
            assertThat(receiver.requests()).hasSize(2);
            assertThat(receiver.requests()).extracting(r -> r.header(WebhookSignature.IDEMPOTENCY_KEY)).containsOnly(n.notificationId());
            JsonPath page = notificationOf(n.jobId());
            assertThat(page.getInt("notifications[0].deliveries[0].attempts")).isEqualTo(2);
            assertThat(page.getString("notifications[0].deliveries[0].last_error")).contains("timed out");
        }
    }

    @Test
    void aReceiverDownPastTheGiveUpGoesToTheDeadLetterTopicWithTheReason() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String channel = webhook("hook-down", "http://127.0.0.1:" + closedPort + "/never");
        try (TopicReader dlq = TopicReader.fromNow(Topics.NOTIFICATIONS_DLQ)) {
            NotificationRaised n = Notifications.raise("drive", List.of(channel));

            await().atMost(WAIT).until(() -> "pending".equals(stateOf(n.jobId())));
            ConsumerRecord<String, byte[]> dead = dlq.awaitOne(r -> n.notificationId().equals(r.key()), WAIT);
            assertThat(TopicReader.header(dead, "dead-letter-channel")).isEqualTo(channel);
            assertThat(TopicReader.header(dead, "dead-letter-channel-type")).isEqualTo("webhook");
            assertThat(TopicReader.header(dead, "dead-letter-reason")).startsWith("gave up after PT6S")
                    .containsIgnoringCase("connection refused");
            assertThat(Integer.parseInt(TopicReader.header(dead, "dead-letter-attempts"))).isGreaterThanOrEqualTo(3);
            JsonPath original = new JsonPath(TopicReader.valueText(dead));
            assertThat(original.getString("notification_id")).isEqualTo(n.notificationId());
            assertThat(original.getString("frame_id")).isEqualTo(n.frameId());

            await().atMost(WAIT).until(() -> "failed".equals(stateOf(n.jobId())));
            JsonPath page = notificationOf(n.jobId());
            assertThat(page.getString("notifications[0].deliveries[0].state")).isEqualTo("failed");
            assertThat(page.getString("notifications[0].deliveries[0].last_error")).startsWith("gave up after");
        }
    }

    @Test
    void aFinalRefusalIsNotRetried() {
        try (HttpReceiver receiver = HttpReceiver.start(404);
             TopicReader dlq = TopicReader.fromNow(Topics.NOTIFICATIONS_DLQ)) {
            String channel = webhook("hook-gone", receiver.url("/gone"));
            NotificationRaised n = Notifications.raise("shed", List.of(channel));

            ConsumerRecord<String, byte[]> dead = dlq.awaitOne(r -> n.notificationId().equals(r.key()), WAIT);
            assertThat(TopicReader.header(dead, "dead-letter-reason")).contains("HTTP 404");
            await().atMost(WAIT).until(() -> "failed".equals(stateOf(n.jobId())));
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void aSchemaOneNotificationGoesToTheDefaultChannels() {
        try (HttpReceiver receiver = HttpReceiver.start()) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("type", "webhook", "config", Map.of("url", receiver.url("/default"), "secret", SECRET), "default", true))
                    .put("/api/v1/notification-channels/hook-default").then().statusCode(200).body("default", org.hamcrest.Matchers.is(true));
            try {
                String job = "w-" + UUID.randomUUID();
                long at = System.currentTimeMillis();
                Notifications.sendRaw("front", "{\"schema\":1,\"job_id\":\"" + job + "\",\"camera\":\"front\",\"condition\":\"a cat\","
                        + "\"message\":\"A cat sits on the step.\",\"reasoning\":\"cat\",\"at\":" + at + "}");
                await().atMost(WAIT).until(() -> "delivered".equals(stateOf(job)));
                JsonPath body = new JsonPath(receiver.requests().get(0).text());
                assertThat(body.getString("job_id")).isEqualTo(job);
                assertThat(body.getString("message")).isEqualTo("A cat sits on the step.");
                assertThat(body.getString("notification_id")).isNotBlank();
                assertThat(receiver.requests().get(0).header(WebhookSignature.IDEMPOTENCY_KEY)).isEqualTo(body.getString("notification_id"));
            } finally {
                given().delete("/api/v1/notification-channels/hook-default").then().statusCode(204);
            }
        }
    }

    @Test
    void anUnreadableRecordIsDeadLetteredAndTheNextOneStillDelivered() {
        try (HttpReceiver receiver = HttpReceiver.start();
             TopicReader dlq = TopicReader.fromNow(Topics.NOTIFICATIONS_DLQ)) {
            String channel = webhook("hook-after-poison", receiver.url("/p"));
            String key = "poison-" + UUID.randomUUID();
            Notifications.sendRaw(key, "{not json");
            ConsumerRecord<String, byte[]> dead = dlq.awaitOne(r -> key.equals(r.key()), WAIT);
            assertThat(TopicReader.header(dead, "dead-letter-reason")).startsWith("not a notification");
            NotificationRaised n = Notifications.raise("porch", List.of(channel));
            await().atMost(WAIT).until(() -> "delivered".equals(stateOf(n.jobId())));
            assertThat(new String(receiver.requests().get(0).body(), StandardCharsets.UTF_8)).contains(n.notificationId());
        }
    }
}
