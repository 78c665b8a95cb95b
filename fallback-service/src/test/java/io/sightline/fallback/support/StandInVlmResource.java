package io.sightline.fallback.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.testsupport.StandInVlmServer;

import java.util.Map;

/**
 * Starts a stand-in OpenAI-compatible VLM for the application under test and points
 * {@code sightline.fallback.vlm.*} at it, with a short timeout so timeout tests stay fast. Also sets
 * the internal token, so the tests using this resource exercise authentication on every POST.
 */
public class StandInVlmResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-internal-token";
    public static final long TIMEOUT_MS = 2000;

    private StandInVlmServer server;

    @Override
    public Map<String, String> start() {
        server = StandInVlmServer.start("stand-in-vlm");
        return Map.of(
                "sightline.fallback.vlm.base-url", server.baseUrl() + "/v1",
                "sightline.fallback.vlm.model", "stand-in-vlm",
                "sightline.fallback.vlm.timeout", TIMEOUT_MS + "ms",
                "sightline.internal.token", TOKEN);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(InjectStandInVlm.class, StandInVlmServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
