package io.sightline.caption.backend;

import io.sightline.caption.models.ModelFile;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Makes sure model files are in the models directory before the ONNX tiers load them. */
@ApplicationScoped
public class ModelFetcher {

    /** Throws naming what is missing or could not be fetched. */
    public void ensure(Path modelsDir, List<ModelFile> files) {
        List<String> missing = files.stream().filter(f -> !Files.isRegularFile(f.resolveIn(modelsDir)))
                .map(ModelFile::relativePath).toList();
        if (!missing.isEmpty()) {
            throw new io.sightline.caption.backend.onnx.ModelUnavailableException("models missing in " + modelsDir + ": "
                    + String.join(", ", missing) + " (downloader not available yet)");
        }
    }
}
