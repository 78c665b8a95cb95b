package io.sightline.gateway.console;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.CONSOLE_ADMIN;
import static io.sightline.gateway.support.GatewayTestResource.CONSOLE_VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** The console's sign-in: key -> sealed session cookie, the cookie on the API with the key's role, CSRF, sign-out. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class ConsoleSessionTest {

    private static Response signIn(String key) {
        return given().contentType(ContentType.JSON).body("{\"key\":\"" + key + "\"}").post("/console/session");
    }

    private static String sessionCookie(Response signedIn) {
        return signedIn.getCookie("sightline_session");
    }

    @Test
    void signInSetsAnHttpOnlySameSiteStrictCookieThatHoldsNoKey() {
        Response r = signIn(CONSOLE_VIEWER);
        r.then().statusCode(200).body("signed_in", equalTo(true)).body("role", equalTo("viewer"))
                .body("csrf_token", notNullValue()).body("key_id", notNullValue());
        String setCookie = r.getHeader("Set-Cookie");
        assertThat(setCookie).startsWith("sightline_session=").contains("HttpOnly").contains("SameSite=Strict").contains("Path=/")
                .doesNotContain("Secure").doesNotContain(CONSOLE_VIEWER);
        assertThat(r.asString()).doesNotContain(CONSOLE_VIEWER);
    }

    @Test
    void theCookieAuthenticatesApiReadsWithTheKeysRole() {
        String cookie = sessionCookie(signIn(CONSOLE_VIEWER));
        given().cookie("sightline_session", cookie).get("/api/v1/me").then().statusCode(200).body("role", equalTo("viewer"));
        given().cookie("sightline_session", cookie).get("/console/session").then().statusCode(200)
                .body("signed_in", equalTo(true)).body("role", equalTo("viewer"));
        given().get("/console/session").then().statusCode(200).body("signed_in", equalTo(false));
    }

    @Test
    void aStateChangingRequestWithTheCookieNeedsTheCsrfTokenAndTheRole() {
        GatewayTestResource.capture.on("PUT /api/v1/cameras/console-porch", r -> StandInService.Answer.json(200, "{\"id\":\"console-porch\"}"));
        Response admin = signIn(CONSOLE_ADMIN);
        String cookie = sessionCookie(admin);
        String csrf = admin.path("csrf_token");
        String body = "{\"source\":{\"type\":\"push\"}}";
        given().cookie("sightline_session", cookie).contentType(ContentType.JSON).body(body).put("/api/v1/cameras/console-porch")
                .then().statusCode(403).body("error", equalTo("csrf_failed"));
        given().cookie("sightline_session", cookie).header("X-CSRF-Token", "not-the-token").contentType(ContentType.JSON).body(body)
                .put("/api/v1/cameras/console-porch").then().statusCode(403).body("error", equalTo("csrf_failed"));
        given().cookie("sightline_session", cookie).header("X-CSRF-Token", csrf).contentType(ContentType.JSON).body(body)
                .put("/api/v1/cameras/console-porch").then().statusCode(200);

        // a viewer's session with its own valid token is still refused an admin action by the server
        Response viewer = signIn(CONSOLE_VIEWER);
        given().cookie("sightline_session", sessionCookie(viewer)).header("X-CSRF-Token", viewer.path("csrf_token").toString())
                .contentType(ContentType.JSON).body(body).put("/api/v1/cameras/console-porch")
                .then().statusCode(403).body("error", equalTo("forbidden")).body("message", containsString("admin"));
        // another session's token does not fit
        given().cookie("sightline_session", sessionCookie(viewer)).header("X-CSRF-Token", csrf)
                .delete("/console/session").then().statusCode(403);
    }

    @Test
    void aTamperedOrForeignCookieIsNotASession() {
        String cookie = sessionCookie(signIn(CONSOLE_VIEWER));
        char last = cookie.charAt(cookie.length() - 2);
        String tampered = cookie.substring(0, cookie.length() - 2) + (last == 'A' ? 'B' : 'A') + cookie.charAt(cookie.length() - 1);
        given().cookie("sightline_session", tampered).get("/api/v1/me").then().statusCode(401).body("error", equalTo("session_expired"));
        given().cookie("sightline_session", "bm90LWEtc2Vzc2lvbg").get("/api/v1/me").then().statusCode(401);
        given().cookie("sightline_session", tampered).get("/console/session").then().statusCode(200).body("signed_in", equalTo(false));
    }

    @Test
    void aWrongKeyIsRefusedAndNothingIsSet() {
        Response r = signIn("sk-not-a-key-at-all-0000000000");
        r.then().statusCode(401).body("error", equalTo("unauthorized"));
        assertThat(r.getHeader("Set-Cookie")).isNull();
        given().contentType(ContentType.JSON).body("{}").post("/console/session").then().statusCode(400);
    }

    @Test
    void signOutClearsTheCookie() {
        Response admin = signIn(CONSOLE_ADMIN);
        Response out = given().cookie("sightline_session", sessionCookie(admin)).header("X-CSRF-Token", admin.path("csrf_token").toString())
                .delete("/console/session");
        out.then().statusCode(204);
        assertThat(out.getHeader("Set-Cookie")).startsWith("sightline_session=;").contains("Max-Age=0");
    }

    @Test
    void thePageAndItsAssetsAreServedOpenWithASelfOnlyPolicy() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("X-Frame-Options", "DENY")
                .body(containsString("/console/app.js")).body(containsString("<label for=\"api-key\""));
        given().get("/console/app.js").then().statusCode(200).body(containsString("X-CSRF-Token"));
        given().get("/console/app.css").then().statusCode(200);
        // everything else still needs a key
        given().get("/console/nothing-here.txt").then().statusCode(401);
    }

    @Test
    void aWhereAnswersPointAndBoxFromFallbackReachTheConsoleAsTheyAre() {
        GatewayTestResource.fallback.onJson("POST /api/v1/query", 200,
                "{\"answer\":\"The cup is on the table.\",\"response_mode\":\"vlm_image\",\"confidence\":0.9,"
                        + "\"point\":{\"x\":0.7,\"y\":0.25,\"rule\":\"JSON bbox_2d\"},"
                        + "\"box\":{\"x\":0.6,\"y\":0.2,\"width\":0.2,\"height\":0.1,\"label\":\"cup\",\"rule\":\"JSON bbox_2d\"}}");
        Response admin = signIn(CONSOLE_ADMIN);
        given().cookie("sightline_session", sessionCookie(admin)).header("X-CSRF-Token", admin.path("csrf_token").toString())
                .contentType(ContentType.JSON).body("{\"camera\":\"door\",\"query\":\"where is the cup?\"}").post("/api/v1/query")
                .then().statusCode(200).body("point.x", equalTo(0.7f)).body("point.y", equalTo(0.25f))
                .body("box.width", equalTo(0.2f)).body("box.label", equalTo("cup"));
    }
}
