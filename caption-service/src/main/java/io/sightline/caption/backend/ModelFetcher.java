package io.sightline.caption.backend;

import io.quarkus.logging.Log;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.common.download.ModelDownloader;
import io.sightline.common.download.ModelFetchResult;
import io.sightline.common.download.ModelFile;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes sure the model files are in the models directory (sha256 checked) before the ONNX tiers load
 * them, downloading missing or corrupt ones with resume and a stall timeout; progress is logged per 10 %.
 */
@ApplicationScoped
public class ModelFetcher {

    private final ModelDownloader downloader;
    private final Map<String, Long> loggedTenth = new ConcurrentHashMap<>();

    ModelFetcher(CaptionConfig config) {
        this.downloader = new ModelDownloader(ModelDownloader.defaultClient(), config.modelsDownloadStallTimeout(), this::progress);
    }

    /** Throws {@link io.sightline.common.download.ModelDownloadException} naming the file that could not be made available. */
    public List<ModelFetchResult> ensure(Path modelsDir, List<ModelFile> files) {
        List<ModelFetchResult> results = downloader.ensure(modelsDir, files);
        results.stream().filter(r -> !ModelFetchResult.PRESENT.equals(r.outcome())).forEach(r ->
                Log.infof("Model %s %s (%d bytes in %d ms)", r.file().relativePath(), r.outcome(), r.bytes(), r.millis()));
        return results;
    }

    private void progress(ModelFile file, long done, long total) {
        if (total <= 0) {
            return;
        }
        long tenth = done * 10 / total;
        Long previous = loggedTenth.put(file.relativePath(), tenth);
        if (previous == null || previous != tenth) {
            Log.infof("Downloading %s: %d%% (%d of %d bytes)", file.relativePath(), tenth * 10, done, total);
        }
    }
}
