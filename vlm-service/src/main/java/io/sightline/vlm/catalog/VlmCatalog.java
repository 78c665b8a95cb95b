package io.sightline.vlm.catalog;

import io.sightline.common.hardware.HardwareProfile;
import io.sightline.vlm.catalog.CatalogModel.ModelFile;
import io.sightline.vlm.config.VlmConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.sightline.vlm.catalog.CatalogModel.CAPTION;
import static io.sightline.vlm.catalog.CatalogModel.TEXT;
import static io.sightline.vlm.catalog.CatalogModel.VISION;

/**
 * The one source of truth for the models vlm-service can host. Built-in entries are public GGUF + mmproj
 * pairs from the ggml-org Hugging Face organisation (file names as published there); configured
 * {@code sightline.vlm.hosted.<id>} entries (local GGUF files, e.g. the tiny test model) are added after them.
 *
 * <p>Sizes and sha256 of the built-in files are NOT pinned here: no trustworthy published checksum was
 * available when this catalog was written, so they are left empty (size 0) and must be recorded on first
 * download and verified after. RAM needs are estimates (file sizes plus a 4096-token context), not
 * measurements.
 */
@ApplicationScoped
public class VlmCatalog {

    private static final String HF = "https://huggingface.co/";

    private final Map<String, CatalogModel> models = new LinkedHashMap<>();
    private final Map<String, Path> localFiles = new LinkedHashMap<>();

    VlmCatalog(VlmConfig config) {
        add(builtIn("smolvlm2-256m", "SmolVLM2-256M-Video-Instruct Q8_0 (CPU)", "ggml-org/SmolVLM2-256M-Video-Instruct-GGUF",
                "SmolVLM2-256M-Video-Instruct-Q8_0.gguf", "mmproj-SmolVLM2-256M-Video-Instruct-Q8_0.gguf",
                1024, 0, 2, false, 1, 5));
        add(builtIn("smolvlm-500m", "SmolVLM-500M-Instruct Q8_0 (CPU)", "ggml-org/SmolVLM-500M-Instruct-GGUF",
                "SmolVLM-500M-Instruct-Q8_0.gguf", "mmproj-SmolVLM-500M-Instruct-Q8_0.gguf",
                1536, 0, 2, false, 2, 4));
        add(builtIn("qwen2.5-vl-3b", "Qwen2.5-VL-3B-Instruct Q4_K_M (GPU)", "ggml-org/Qwen2.5-VL-3B-Instruct-GGUF",
                "Qwen2.5-VL-3B-Instruct-Q4_K_M.gguf", "mmproj-Qwen2.5-VL-3B-Instruct-Q8_0.gguf",
                4096, 4096, 4, true, 4, 3));
        add(builtIn("qwen2.5-vl-7b", "Qwen2.5-VL-7B-Instruct Q4_K_M (GPU)", "ggml-org/Qwen2.5-VL-7B-Instruct-GGUF",
                "Qwen2.5-VL-7B-Instruct-Q4_K_M.gguf", "mmproj-Qwen2.5-VL-7B-Instruct-Q8_0.gguf",
                8192, 8192, 4, true, 5, 2));
        config.hosted().forEach((id, hosted) -> {
            List<ModelFile> files = new ArrayList<>();
            files.add(localFile(ModelFile.GGUF, hosted.model(), hosted.modelUrl(), hosted.modelSha256(), hosted.modelSize()));
            hosted.mmproj().ifPresent(m -> files.add(localFile(ModelFile.MMPROJ, m, hosted.mmprojUrl(), hosted.mmprojSha256(), hosted.mmprojSize())));
            localFiles.put(id + "/" + ModelFile.GGUF, hosted.model());
            hosted.mmproj().ifPresent(m -> localFiles.put(id + "/" + ModelFile.MMPROJ, m));
            add(new CatalogModel(id, hosted.name().orElse(id + " (local files)"), files, 0, 0, 1, false, 1, 5,
                    hosted.mmproj().isPresent() ? Set.of(VISION, TEXT, CAPTION) : Set.of(TEXT),
                    List.of(), "configured: sightline.vlm.hosted." + id));
        });
        this.modelsDir = config.modelsDir();
    }

    private final Path modelsDir;

    private static CatalogModel builtIn(String id, String name, String repo, String gguf, String mmproj, int ramMb, int vramMb,
                                        int cores, boolean gpu, int quality, int speed) {
        return new CatalogModel(id, name, List.of(
                new ModelFile(ModelFile.GGUF, gguf, List.of(HF + repo + "/resolve/main/" + gguf), 0, Optional.empty()),
                new ModelFile(ModelFile.MMPROJ, mmproj, List.of(HF + repo + "/resolve/main/" + mmproj), 0, Optional.empty())),
                ramMb, vramMb, cores, gpu, quality, speed, Set.of(VISION, TEXT, CAPTION), List.of(), HF + repo);
    }

    private static ModelFile localFile(String role, Path path, Optional<java.net.URI> url, Optional<String> sha256,
                                       Optional<Long> configuredSize) {
        long size = configuredSize.orElse(0L);
        try {
            size = Files.isRegularFile(path) ? Files.size(path) : size;
        } catch (java.io.IOException ignored) {
            // reported as missing when the model starts
        }
        return new ModelFile(role, path.getFileName().toString(), List.of(url.orElse(path.toUri()).toString()), size, sha256);
    }

    private void add(CatalogModel model) {
        models.put(model.id(), model);
    }

    public Optional<CatalogModel> model(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /** All models, built-in first, in catalog order. */
    public List<CatalogModel> models() {
        return List.copyOf(models.values());
    }

    /** Where a model's file lives (configured path, else {@code <models-dir>/<file name>}). */
    public Path path(CatalogModel model, ModelFile file) {
        Path configured = localFiles.get(model.id() + "/" + file.role());
        return configured != null ? configured : modelsDir.resolve(file.fileName());
    }

    /** Configured (local-file) models first, then the built-in model with the smallest RAM need that fits this host. */
    public Optional<CatalogModel> smallestFitting(HardwareProfile host) {
        return models.values().stream()
                .filter(m -> m.hardwareShortfall(host) == null)
                .filter(CatalogModel::canSee)
                .min(Comparator.comparingInt((CatalogModel m) -> localFiles.containsKey(m.id() + "/" + ModelFile.GGUF) ? 0 : 1)
                        .thenComparingInt(CatalogModel::ramMb));
    }
}
