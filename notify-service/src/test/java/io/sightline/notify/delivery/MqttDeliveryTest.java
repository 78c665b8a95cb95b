package io.sightline.notify.delivery;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.sightline.common.event.NotificationRaised;
import io.sightline.notify.support.MqttBroker;
import io.sightline.notify.support.MqttSubscriber;
import io.sightline.notify.support.Notifications;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** MQTT delivery and Home Assistant discovery against a real broker (Moquette in this JVM), restarted mid-test. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class MqttDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private static void mqttChannel(String name, String url) {
        given().contentType(ContentType.JSON)
                .body(Map.of("type", "mqtt", "config", Map.of("url", url, "topic_prefix", "sl", "discovery_prefix", "homeassistant")))
                .put("/api/v1/notification-channels/" + name).then().statusCode(200);
    }

    @Test
    void publishesStateEventAndDiscoveryAndSurvivesABrokerRestart() {
        try (MqttBroker broker = MqttBroker.start()) {
            mqttChannel("ha", broker.url());
            NotificationRaised n;
            try (MqttSubscriber sub = MqttSubscriber.subscribe(broker.url(), "#")) {
                n = Notifications.raise("porch", List.of("ha"));
                String state = "sl/jobs/" + n.jobId() + "/state";
                String event = "sl/jobs/" + n.jobId() + "/event";
                String sensor = "homeassistant/binary_sensor/sightline/" + n.jobId() + "/config";
                String eventEntity = "homeassistant/event/sightline/" + n.jobId() + "/config";
                await().atMost(WAIT).until(() -> !sub.on(event).isEmpty());

                JsonPath sensorConfig = new JsonPath(sub.on(sensor).get(0).payload());
                assertThat(sensorConfig.getString("state_topic")).isEqualTo(state);
                assertThat(sensorConfig.getString("json_attributes_topic")).isEqualTo(state);
                assertThat(sensorConfig.getString("unique_id")).isEqualTo("sightline_" + n.jobId());
                assertThat(sensorConfig.getString("name")).isEqualTo(n.condition());
                assertThat(sensorConfig.getString("device.name")).isEqualTo("Sightline porch");
                JsonPath eventConfig = new JsonPath(sub.on(eventEntity).get(0).payload());
                assertThat(eventConfig.getString("state_topic")).isEqualTo(event);
                assertThat(eventConfig.getList("event_types")).containsExactly("condition_met");

                JsonPath statePayload = new JsonPath(sub.on(state).get(0).payload());
                assertThat(statePayload.getString("state")).isEqualTo("ON");
                assertThat(statePayload.getString("message")).isEqualTo(n.message());
                assertThat(statePayload.getString("snapshot_url")).isEqualTo(n.thumbnailUrl());
                assertThat(statePayload.getString("frame_id")).isEqualTo(n.frameId());
                JsonPath eventPayload = new JsonPath(sub.on(event).get(0).payload());
                assertThat(eventPayload.getString("event_type")).isEqualTo("condition_met");
                assertThat(eventPayload.getString("notification_id")).isEqualTo(n.notificationId());
                await().atMost(WAIT).until(() -> "delivered".equals(WebhookDeliveryTest.stateOf(n.jobId())));
            }
            // Home Assistant subscribing later still finds the retained discovery config and state
            try (MqttSubscriber late = MqttSubscriber.subscribe(broker.url(), "homeassistant/binary_sensor/sightline/" + n.jobId() + "/config")) {
                // only a retained message reaches a subscriber that came after the publish (Moquette does not set the
                // retain flag on it, so receipt itself is the check)
                await().atMost(WAIT).until(() -> !late.received().isEmpty());
                assertThat(new JsonPath(late.received().get(0).payload()).getString("unique_id")).isEqualTo("sightline_" + n.jobId());
            }

            // the broker goes away: the notification stays pending, retried, and is published once it is back
            broker.down();
            NotificationRaised during = Notifications.raise("porch", List.of("ha"));
            await().atMost(WAIT).until(() -> {
                JsonPath page = WebhookDeliveryTest.notificationOf(during.jobId());
                return !page.getList("notifications").isEmpty() && page.getInt("notifications[0].deliveries[0].attempts") >= 2;
            });
            assertThat(WebhookDeliveryTest.stateOf(during.jobId())).isEqualTo("pending");
            assertThat(WebhookDeliveryTest.notificationOf(during.jobId()).getString("notifications[0].deliveries[0].last_error")).contains("MQTT");
            broker.up();
            await().atMost(WAIT).until(() -> "delivered".equals(WebhookDeliveryTest.stateOf(during.jobId())));
            try (MqttSubscriber after = MqttSubscriber.subscribe(broker.url(), "sl/jobs/" + during.jobId() + "/state")) {
                await().atMost(WAIT).until(() -> !after.received().isEmpty());
                assertThat(new JsonPath(after.received().get(0).payload()).getString("notification_id")).isEqualTo(during.notificationId());
            }
        } finally {
            given().delete("/api/v1/notification-channels/ha");
        }
    }
}
