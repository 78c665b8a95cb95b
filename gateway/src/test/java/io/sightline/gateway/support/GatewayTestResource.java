package io.sightline.gateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.testsupport.StandInVlmServer;

import java.util.HashMap;
import java.util.Map;

/**
 * Stands in for everything around the gateway: capture-, caption- and fallback-service as scriptable
 * HTTP servers and the VLM as {@link StandInVlmServer}; API keys for every role. The broker comes from
 * test-support's KafkaBrokerResource. One instance per test JVM, shared by all test classes.
 */
public class GatewayTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String INTERNAL_TOKEN = "internal-token-for-tests-0123456789";
    public static final String VIEWER = "sk-test-viewer-0000000000000001";
    public static final String OPERATOR = "sk-test-operator-00000000000002";
    public static final String ADMIN = "sk-test-admin-0000000000000003";
    public static final String BATCH = "sk-test-batch-0000000000000004";
    /** Own key for the rate-limit test, so other tests keep their budget. */
    public static final String LIMITED = "sk-test-limited-000000000000005";
    /** Own keys for the OpenAI tests (many requests). */
    public static final String OPENAI = "sk-test-openai-0000000000000006";
    public static final String OPENAI_BATCH = "sk-test-openai-batch-000000007";
    /** Own keys for the console session tests. */
    public static final String CONSOLE_VIEWER = "sk-test-console-viewer-00000008";
    public static final String CONSOLE_ADMIN = "sk-test-console-admin-000000009";
    public static final String VLM_MODEL = "stand-in-qwen-vl";

    public static StandInService capture;
    public static StandInService caption;
    public static StandInService fallback;
    public static StandInService history;
    public static StandInService watch;
    public static StandInService notify;
    public static StandInVlmServer vlm;

    @Override
    public synchronized Map<String, String> start() {
        if (capture == null) {
            // JDK HttpServer stand-ins otherwise add ~40 ms (Nagle + delayed ACK) to every POST they answer
            System.setProperty("sun.net.httpserver.nodelay", "true");
            capture = StandInService.start("capture");
            caption = StandInService.start("caption");
            fallback = StandInService.start("fallback");
            history = StandInService.start("history");
            watch = StandInService.start("watch");
            notify = StandInService.start("notify");
            vlm = StandInVlmServer.start(VLM_MODEL);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.rest-client.capture.url", capture.url());
        config.put("quarkus.rest-client.caption.url", caption.url());
        config.put("quarkus.rest-client.fallback.url", fallback.url());
        config.put("quarkus.rest-client.history.url", history.url());
        config.put("quarkus.rest-client.watch.url", watch.url());
        config.put("quarkus.rest-client.notify.url", notify.url());
        config.put("sightline.gateway.internal-token", INTERNAL_TOKEN);
        config.put("sightline.gateway.keys.inline", String.join(",",
                VIEWER + ":viewer", OPERATOR + ":operator", ADMIN + ":admin", BATCH + ":operator:batch",
                LIMITED + ":viewer", OPENAI + ":operator", OPENAI_BATCH + ":operator:batch",
                CONSOLE_VIEWER + ":viewer", CONSOLE_ADMIN + ":admin"));
        config.put("sightline.gateway.vlm.base-url", vlm.baseUrl() + "/v1");
        config.put("sightline.gateway.vlm.timeout", "20s");
        config.put("sightline.gateway.downstream.query-timeout", "5s");
        config.put("sightline.gateway.downstream.timeout", "3s");
        config.put("sightline.gateway.rate-limit.per-second", "5");
        config.put("sightline.gateway.rate-limit.burst", "30");
        // one push every 5 s per camera after a burst of 5: FramePushRouteTest relies on both numbers
        config.put("sightline.gateway.push.per-camera-fps", "0.2");
        config.put("sightline.gateway.push.burst", "5");
        return config;
    }

    @Override
    public void stop() {
        // shared across test classes of this JVM; the servers are daemon threads and die with it
    }
}
