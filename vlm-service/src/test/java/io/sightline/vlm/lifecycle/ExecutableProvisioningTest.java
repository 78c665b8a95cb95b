package io.sightline.vlm.lifecycle;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.vlm.support.ExecutableMirrorResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The llama-server executable provisioned on first use: not on PATH, downloaded from the mirror (origin
 * down) as a release archive with a pinned sha256, unpacked under the models directory and run, once for
 * every hosted model.
 */
@EnabledIf(value = "io.sightline.vlm.support.RealLlamaServerResource#available",
        disabledReason = "the real llama-server is not built: run ../shared/tools/llama-server/setup.sh")
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(ExecutableMirrorResource.class)
class ExecutableProvisioningTest {

    @TestHTTPResource("/v1/chat/completions")
    URL chat;

    @Test
    void aMissingLlamaServerIsDownloadedUnpackedAndRunOnFirstUseThenSharedByTheNextModel() throws Exception {
        // not installed, but provisionable: no reason to refuse the model
        assertThat(HostedLifecycleTest.model("tiny").path("unavailable_reason").isNull()).isTrue();

        HttpResponse<String> first = HostedLifecycleTest.post(chat, HostedLifecycleTest.body("tiny", false, 4)).get(120, TimeUnit.SECONDS);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        Path installed = ExecutableMirrorResource.modelsDir.resolve("llama-server/dist/llama-b0000-test/bin/llama-server");
        assertThat(installed).isRegularFile();
        assertThat(Files.isExecutable(installed)).isTrue();
        assertThat(ExecutableMirrorResource.REQUESTS).containsExactly(ExecutableMirrorResource.ARCHIVE);

        HttpResponse<String> other = HostedLifecycleTest.post(chat, HostedLifecycleTest.body("blind", false, 4)).get(120, TimeUnit.SECONDS);
        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
        assertThat(ExecutableMirrorResource.REQUESTS).as("one download for every model").hasSize(1);
    }
}
