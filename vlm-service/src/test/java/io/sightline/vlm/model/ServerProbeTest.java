package io.sightline.vlm.model;

import org.junit.jupiter.api.condition.EnabledIf;
import io.sightline.vlm.lifecycle.ProcessServerLauncher;
import io.sightline.vlm.support.RealLlamaServerResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Vision and slots come from the real server's /props, with and without an mmproj. */
@EnabledIf(value = "io.sightline.vlm.support.RealLlamaServerResource#available",
        disabledReason = "the real llama-server is not built: run ../shared/tools/llama-server/setup.sh")
class ServerProbeTest {

    private ProcessServerLauncher launcher;

    @AfterEach
    void stop() {
        if (launcher != null) {
            launcher.shutdown();
        }
    }

    private ServerProbe started(boolean mmproj, int parallel) throws Exception {
        Path llama = RealLlamaServerResource.llamaDir();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        launcher = new ProcessServerLauncher(new ProcessServerLauncher.Spec(llama.resolve("bin/llama-server").toString(),
                llama.resolve("models/tiny-llava-text.gguf"),
                mmproj ? Optional.of(llama.resolve("models/tiny-llava-mmproj.gguf")) : Optional.empty(),
                "127.0.0.1", port, List.of("--ctx-size", "512", "--parallel", Integer.toString(parallel), "--threads", "1"),
                Files.createTempFile("llama-", ".log"), Duration.ofSeconds(5)));
        launcher.start().await().atMost(Duration.ofSeconds(10));
        ServerProbe probe = new ServerProbe(URI.create("http://127.0.0.1:" + port + "/v1"), Optional.empty());
        await().atMost(Duration.ofSeconds(30)).until(() -> probe.healthy().await().atMost(Duration.ofSeconds(10)));
        return probe;
    }

    @Test
    void aServerWithAnMmprojReportsVisionAndItsSlots() throws Exception {
        ServerProbe.Props props = started(true, 2).props().await().atMost(Duration.ofSeconds(10));
        assertThat(props.vision()).hasValue(true);
        assertThat(props.totalSlots()).hasValue(2);
    }

    @Test
    void aServerWithoutAnMmprojReportsNoVision() throws Exception {
        ServerProbe.Props props = started(false, 1).props().await().atMost(Duration.ofSeconds(10));
        assertThat(props.vision()).hasValue(false);
        assertThat(props.totalSlots()).hasValue(1);
    }
}
