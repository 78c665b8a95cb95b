package io.sightline.gateway.notify;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.ADMIN;
import static io.sightline.gateway.support.GatewayTestResource.OPERATOR;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** The gateway's notification routes: roles, pass-through to notify-service, secrets masked on the way out. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class NotificationRoutesTest {

    private final StandInService notify = GatewayTestResource.notify;

    @BeforeEach
    void reset() {
        notify.clear();
    }

    @Test
    void viewersReadNotificationsWithTheirDeliveryState() {
        notify.onJson("GET /api/v1/notifications", 200, "{\"notifications\":[{\"notification_id\":\"n1\",\"job_id\":\"w1\","
                + "\"state\":\"delivered\",\"deliveries\":[{\"channel\":\"hook\",\"type\":\"webhook\",\"state\":\"delivered\",\"attempts\":2}]}]}");
        given().auth().oauth2(VIEWER).queryParam("job", "w1").queryParam("limit", "5").get("/api/v1/notifications")
                .then().statusCode(200).body("notifications[0].state", equalTo("delivered"))
                .body("notifications[0].deliveries[0].attempts", equalTo(2));
        StandInService.Received r = notify.received("GET", "/api/v1/notifications").get(0);
        assertThat(r.query()).contains("job=w1").contains("limit=5");
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
        given().get("/api/v1/notifications").then().statusCode(401);
    }

    @Test
    void channelReadsAreMaskedEvenIfTheServiceForgot() {
        notify.onJson("GET /api/v1/notification-channels", 200, "{\"channels\":[{\"name\":\"hook\",\"type\":\"webhook\","
                + "\"config\":{\"url\":\"https://user:pw@hooks.example/x\",\"secret\":\"raw-secret-value\"},\"default\":true}]}");
        String body = given().auth().oauth2(VIEWER).get("/api/v1/notification-channels").then().statusCode(200)
                .body("channels[0].config.secret", equalTo("***")).body("channels[0].default", equalTo(true)).extract().asString();
        assertThat(body).doesNotContain("raw-secret-value").doesNotContain("user:pw");
    }

    @Test
    void onlyAdminsChangeAndTestChannelsAndRefusalsNameTheField() {
        notify.onJson("PUT /api/v1/notification-channels/hook", 400,
                "{\"error\":\"invalid_request\",\"message\":\"config.url: is required\",\"status\":400,\"field\":\"config.url\"}");
        String bad = "{\"type\":\"webhook\",\"config\":{}}";
        given().auth().oauth2(VIEWER).contentType(ContentType.JSON).body(bad).put("/api/v1/notification-channels/hook").then().statusCode(403);
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(bad).put("/api/v1/notification-channels/hook").then().statusCode(403);
        given().auth().oauth2(OPERATOR).post("/api/v1/notification-channels/hook/test").then().statusCode(403);
        given().auth().oauth2(OPERATOR).delete("/api/v1/notification-channels/hook").then().statusCode(403);
        assertThat(notify.received()).isEmpty();

        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(bad).put("/api/v1/notification-channels/hook")
                .then().statusCode(400).body("field", equalTo("config.url"));
        assertThat(new String(notify.received("PUT", "/api/v1/notification-channels/hook").get(0).body(), StandardCharsets.UTF_8))
                .contains("\"type\":\"webhook\"");

        notify.onJson("POST /api/v1/notification-channels/hook/test", 200, "{\"channel\":\"hook\",\"delivered\":true}");
        given().auth().oauth2(ADMIN).post("/api/v1/notification-channels/hook/test").then().statusCode(200).body("delivered", equalTo(true));
        notify.on("DELETE /api/v1/notification-channels/hook", r -> new StandInService.Answer(204, null, new byte[0]));
        given().auth().oauth2(ADMIN).delete("/api/v1/notification-channels/hook").then().statusCode(204);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(bad).put("/api/v1/notification-channels/..%2Fx").then().statusCode(400);
    }

    @Test
    void notifyServiceDownIsA503() {
        notify.stop();
        try {
            given().auth().oauth2(VIEWER).get("/api/v1/notifications").then().statusCode(503);
        } finally {
            notify.restart();
        }
    }
}
