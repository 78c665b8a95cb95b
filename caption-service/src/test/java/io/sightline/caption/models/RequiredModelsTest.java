package io.sightline.caption.models;

import io.sightline.common.download.ModelDownloader;
import io.sightline.common.download.ModelFile;

import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequiredModelsTest {

    @Test
    void digestsAndSizesMatchTheRealModelFiles() throws IOException {
        for (ModelFile f : RequiredModels.ONNX_TIER) {
            assertThat(ModelDownloader.sha256(f.resolveIn(TestImages.modelsDir()))).as(f.relativePath()).isEqualTo(f.sha256());
            assertThat(Files.size(f.resolveIn(TestImages.modelsDir()))).as(f.relativePath()).isEqualTo(f.sizeBytes());
            assertThat(f.url().getScheme()).isEqualTo("https");
        }
        assertThat(RequiredModels.ONNX_TIER).extracting(ModelFile::relativePath).doesNotHaveDuplicates().hasSize(6);
    }

    @Test
    void pathsOutsideTheModelsDirectoryAreRefused() {
        URI url = URI.create("https://example.org/x");
        String sha = "0".repeat(64);
        assertThatThrownBy(() -> new ModelFile("../etc/passwd", url, sha, 1)).hasMessageContaining("inside");
        assertThatThrownBy(() -> new ModelFile("/etc/passwd", url, sha, 1)).hasMessageContaining("inside");
        assertThatThrownBy(() -> new ModelFile("a.onnx", URI.create("file:///etc/passwd"), sha, 1))
                .hasMessageContaining("http");
        assertThatThrownBy(() -> new ModelFile("a.onnx", url, "abc", 1)).hasMessageContaining("sha256");
    }
}
