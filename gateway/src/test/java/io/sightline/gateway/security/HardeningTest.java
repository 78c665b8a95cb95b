package io.sightline.gateway.security;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.BATCH;
import static io.sightline.gateway.support.GatewayTestResource.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Issue 14 item 5 and 6 at the gateway: priority entitlement, failed-auth limit, image/jpg, malformed JSON. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class HardeningTest {

    @TestHTTPResource("/")
    java.net.URL root;

    @Test
    void aBatchKeyAskingForPriorityOneIsServedAtItsEntitledClass() {
        GatewayTestResource.fallback.onJson("POST /api/v1/query", 200, "{\"answer\":\"nobody\",\"response_mode\":\"template\"}");
        GatewayTestResource.fallback.clear();
        String body = "{\"camera\":\"door\",\"query\":\"anyone there?\"}";
        given().auth().oauth2(BATCH).contentType(ContentType.JSON).header("X-Priority", "1").body(body)
                .post("/api/v1/query").then().statusCode(200)
                .header("X-Sightline-Priority", "BATCH").header("X-Sightline-Priority-Class", "batch");
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(body)
                .post("/api/v1/query").then().statusCode(200).header("X-Sightline-Priority", "INTERACTIVE");
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).header("X-Priority", "7").body(body)
                .post("/api/v1/query").then().statusCode(200).header("X-Sightline-Priority-Class", "watch");
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).header("X-Priority", "urgent").body(body)
                .post("/api/v1/query").then().statusCode(400).body("message", containsString("priority"));
        List<StandInService.Received> asked = GatewayTestResource.fallback.received("POST", "/api/v1/query");
        assertThat(asked).extracting(r -> r.header("X-Priority")).containsExactly("9", "1", "7");
        given().auth().oauth2(BATCH).get("/api/v1/me").then().body("max_priority", equalTo("batch"));
    }

    @Test
    void repeatedInvalidKeysFromOneAddressGet429WithRetryAfterWhileOtherAddressesDoNot() throws IOException {
        // the test's own source address (127.0.0.2), so the other tests' 127.0.0.1 keeps its budget
        int limit = 20;
        for (int i = 0; i < limit; i++) {
            assertThat(rawGet("127.0.0.2", "Bearer sk-guess-" + i + "-000000000000000").status()).as("attempt " + i).isEqualTo(401);
        }
        Raw locked = rawGet("127.0.0.2", "Bearer sk-guess-final-00000000000000");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.retryAfter()).isNotNull();
        assertThat(Integer.parseInt(locked.retryAfter())).isBetween(1, 60);
        // even a valid key is refused from the locked address for the rest of the minute
        assertThat(rawGet("127.0.0.2", "Bearer " + OPERATOR).status()).isEqualTo(429);
        // another address is not affected
        assertThat(rawGet("127.0.0.3", "Bearer sk-guess-other-00000000000000").status()).isEqualTo(401);
        assertThat(rawGet("127.0.0.3", "Bearer " + OPERATOR).status()).isEqualTo(200);
    }

    @Test
    void malformedJsonIsAnsweredWithTheProblemAndWhereItIs() {
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\": \"door\", \"query\": }")
                .post("/api/v1/query").then().statusCode(400)
                .body("error", equalTo("malformed_json"))
                .body("message", containsString("malformed JSON at line 1, column"))
                .body("message", containsString("Unexpected character"));
    }

    @Test
    void imageJpgIsAcceptedAsAnAliasOfImageJpeg() {
        GatewayTestResource.capture.onJson("POST /api/v1/frames/door", 202, "{\"accepted\":true}");
        GatewayTestResource.capture.clear();
        given().auth().oauth2(OPERATOR).contentType("image/jpg").body(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2})
                .post("/api/v1/frames/door").then().statusCode(202);
        assertThat(GatewayTestResource.capture.received("POST", "/api/v1/frames/door")).hasSize(1);
    }

    @Test
    void chunkedBodiesAreHeldToTheRoutesLimitToo() throws IOException {
        // 100 KB of JSON without Content-Length to a route that accepts 64 KB
        String big = "{\"camera\":\"door\",\"query\":\"" + "x".repeat(100_000) + "\"}";
        assertThat(rawPost("/api/v1/query", big, true)).isEqualTo(413);
        GatewayTestResource.fallback.onJson("POST /api/v1/query", 200, "{\"answer\":\"ok\"}");
        // a small chunked body still goes through, read by the guard and handed to the resource
        assertThat(rawPost("/api/v1/query", "{\"camera\":\"door\",\"query\":\"anyone?\"}", true)).isEqualTo(200);
    }

    private int rawPost(String path, String body, boolean chunked) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), root.getPort()), 5000);
            socket.setSoTimeout(10000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + OPERATOR
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try {
                for (int at = 0; at < bytes.length; at += 8192) {
                    int n = Math.min(8192, bytes.length - at);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes, at, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the server may answer 413 and close before the whole body is sent
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return Integer.parseInt(in.readLine().split(" ")[1]);
        }
    }

    record Raw(int status, String retryAfter) {
    }

    private Raw rawGet(String from, String authorization) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), root.getPort()), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            String retryAfter = null;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.regionMatches(true, 0, "Retry-After:", 0, 12)) {
                    retryAfter = line.substring(12).trim();
                }
            }
            return new Raw(Integer.parseInt(status.split(" ")[1]), retryAfter);
        }
    }
}
