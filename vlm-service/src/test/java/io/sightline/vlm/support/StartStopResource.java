package io.sightline.vlm.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * {@link RealLlamaServerResource} for the start/stop routes: a long idle timeout (a model started on request
 * stays up until it is stopped), the internal token on (every route needs it, as in production), and a remote
 * model {@code elsewhere} (a loopback port nothing listens on) that cannot be started or stopped here.
 */
public class StartStopResource extends RealLlamaServerResource {

    public static final String TOKEN = "internal-token-for-start-stop-tests";

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        config.put("sightline.vlm.idle-timeout", "120s");
        config.put("sightline.internal.token", TOKEN);
        try (ServerSocket socket = new ServerSocket(0)) {
            config.put("sightline.vlm.remote.elsewhere.base-url", "http://127.0.0.1:" + socket.getLocalPort() + "/v1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }
}
