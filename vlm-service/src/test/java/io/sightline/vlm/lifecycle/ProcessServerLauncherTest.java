package io.sightline.vlm.lifecycle;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessServerLauncherTest {

    @Test
    void withoutAnExecutableOrADownloadTheModelIsRefusedWithWhatToSet() {
        ProcessServerLauncher launcher = new ProcessServerLauncher(new ProcessServerLauncher.Spec("llama-server-nowhere-" + System.nanoTime(),
                Path.of("/nonexistent/model.gguf"), Optional.empty(), "127.0.0.1", 1, List.of(), Path.of("/tmp/unused.log"),
                Duration.ofSeconds(1)));

        assertThat(launcher.unavailableReason()).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith("llama-server not provisioned")
                .contains("SIGHTLINE_LLAMA_SERVER")
                .contains("sightline.vlm.llama-server.download-url"));
    }

    @Test
    void aConfiguredDownloadMakesTheMissingExecutableNoReasonToRefuse() {
        ProcessServerLauncher launcher = new ProcessServerLauncher(new ProcessServerLauncher.Spec("llama-server-nowhere-" + System.nanoTime(),
                Path.of("/nonexistent/model.gguf"), Optional.empty(), "127.0.0.1", 1, List.of(), Path.of("/tmp/unused.log"),
                Duration.ofSeconds(1), Optional.of(Path.of("/nonexistent/llama-server")), true));

        assertThat(launcher.executableProblem()).isEmpty();
        // the model file is still missing
        assertThat(launcher.unavailableReason()).hasValueSatisfying(r -> assertThat(r).contains("model file"));
    }
}
