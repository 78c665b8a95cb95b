package io.sightline.gateway.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.ADMIN;
import static io.sightline.gateway.support.GatewayTestResource.OPERATOR;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code POST /api/v1/models/{id}/start|stop}: admin keys only (viewer and operator 403, no key 401), passed
 * to vlm-service (a stand-in here) with the internal token, its status and JSON passed back.
 */
@QuarkusTest
@TestProfile(ModelStartStopTest.WithVlmServiceStandIn.class)
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class ModelStartStopTest {

    /** vlm-service's model routes answered by a scriptable stand-in. */
    public static class WithVlmServiceStandIn implements QuarkusTestProfile {
        static final StandInService VLM_SERVICE = StandInService.start("vlm-service");

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sightline.gateway.vlm.base-url", VLM_SERVICE.url() + "/v1");
        }
    }

    static final StandInService vlmService = WithVlmServiceStandIn.VLM_SERVICE;

    @BeforeEach
    void script() {
        vlmService.clear();
        vlmService.onJson("POST /api/v1/models/tiny/start", 202, "{\"id\":\"tiny\",\"state\":\"starting\"}");
        vlmService.onJson("POST /api/v1/models/tiny/stop", 202, "{\"id\":\"tiny\",\"state\":\"stopping\"}");
        vlmService.onJson("POST /api/v1/models/stand-in/start", 409, "{\"error\":{\"message\":\"model 'stand-in' is a remote"
                + " endpoint (remote): vlm-service does not host it, so it cannot be started or stopped here\",\"type\":\"model_not_hosted\",\"code\":409}}");
    }

    @Test
    void anAdminStartsAndStopsAHostedModelThroughVlmServiceWithTheInternalToken() {
        given().auth().oauth2(ADMIN).post("/api/v1/models/tiny/start").then().statusCode(202)
                .body("id", equalTo("tiny")).body("state", equalTo("starting"));
        given().auth().oauth2(ADMIN).post("/api/v1/models/tiny/stop").then().statusCode(202).body("state", equalTo("stopping"));
        List<StandInService.Received> starts = vlmService.received("POST", "/api/v1/models/tiny/start");
        assertThat(starts).hasSize(1);
        assertThat(starts.get(0).header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
        assertThat(vlmService.received("POST", "/api/v1/models/tiny/stop")).hasSize(1);

        // vlm-service's refusal (a remote model) comes back with its status and message
        given().auth().oauth2(ADMIN).post("/api/v1/models/stand-in/start").then().statusCode(409)
                .body("error.message", containsString("cannot be started or stopped"));
    }

    @Test
    void aModelThatCannotStartNowPassesVlmServicesRetryAfterToTheCaller() {
        vlmService.on("POST /api/v1/models/big/start", r -> StandInService.Answer.json(503,
                "{\"error\":{\"message\":\"model 'big' is backing off after a failed start\",\"type\":\"model_unavailable\",\"code\":503}}")
                .withHeader("Retry-After", "7"));
        given().auth().oauth2(ADMIN).post("/api/v1/models/big/start").then().statusCode(503)
                .header("Retry-After", "7").body("error.message", containsString("backing off"));
    }

    @Test
    void viewersAndOperatorsAreRefusedAndNothingReachesVlmService() {
        for (String action : List.of("start", "stop")) {
            given().auth().oauth2(VIEWER).post("/api/v1/models/tiny/" + action).then().statusCode(403);
            given().auth().oauth2(OPERATOR).post("/api/v1/models/tiny/" + action).then().statusCode(403);
            given().post("/api/v1/models/tiny/" + action).then().statusCode(401);
        }
        assertThat(vlmService.received()).as("refused before any downstream call").isEmpty();
        // reading the model stays a viewer's right
        vlmService.onJson("GET /api/v1/models/tiny", 200, "{\"id\":\"tiny\",\"state\":\"ready\"}");
        given().auth().oauth2(VIEWER).get("/api/v1/models/tiny").then().statusCode(200).body("state", equalTo("ready"));
    }

    @Test
    void aModelIdThatCouldChangeTheDownstreamPathIsRefused() {
        given().auth().oauth2(ADMIN).post("/api/v1/models/..%2Fqueue/start").then().statusCode(org.hamcrest.Matchers.oneOf(400, 404));
        assertThat(vlmService.received()).isEmpty();
    }
}
