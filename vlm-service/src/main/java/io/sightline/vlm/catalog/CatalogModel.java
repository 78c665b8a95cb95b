package io.sightline.vlm.catalog;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.common.hardware.HardwareProfile;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One model vlm-service can host with llama-server: its files, what it needs, what it gives and the server
 * flags it wants. Quality and speed are 0 (none) .. 5 (best). {@code ramMb}/{@code vramMb} are what the
 * server process needs with this catalog's context size, measured or estimated (see the catalog comment).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CatalogModel(
        String id,
        String name,
        List<ModelFile> files,
        int ramMb,
        int vramMb,
        int cores,
        boolean requiresGpu,
        int quality,
        int speed,
        Set<String> capabilities,
        List<String> serverFlags,
        String source) {

    public static final String VISION = "vision";
    public static final String TEXT = "text";
    public static final String CAPTION = "caption";

    /**
     * A file of the model. {@code sizeBytes} 0 and {@code sha256} empty mean not pinned from a trustworthy
     * source: recorded on first download, verified on every later use.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelFile(String role, String fileName, List<String> urls, long sizeBytes, Optional<String> sha256) {
        public static final String GGUF = "gguf";
        public static final String MMPROJ = "mmproj";

        public ModelFile {
            urls = List.copyOf(urls);
            sha256 = sha256 == null ? Optional.empty() : sha256;
        }

        /** How the bytes are checked, as the catalog says it: pinned, or recorded on first download (trust on first use). */
        @com.fasterxml.jackson.annotation.JsonProperty("checksum")
        public String checksum() {
            if (sha256.isPresent()) {
                return "pinned sha256";
            }
            return urls.stream().anyMatch(u -> u.startsWith("http"))
                    ? "recorded on first download (trust on first use) in " + io.sightline.vlm.lifecycle.Sha256Pins.FILE_NAME + ", verified after"
                    : "local file, not checked";
        }
    }

    public CatalogModel {
        files = List.copyOf(files);
        capabilities = Set.copyOf(capabilities);
        serverFlags = List.copyOf(serverFlags);
    }

    public Optional<ModelFile> file(String role) {
        return files.stream().filter(f -> f.role().equals(role)).findFirst();
    }

    public boolean canSee() {
        return capabilities.contains(VISION);
    }

    /** Why this host cannot run the model, or null when it can. */
    public String hardwareShortfall(HardwareProfile host) {
        if (requiresGpu && host.maxVramMb() < vramMb) {
            return "needs a GPU with " + vramMb + " MiB VRAM, largest found has " + host.maxVramMb();
        }
        if (host.ramMb() < ramMb) {
            return "needs " + ramMb + " MiB RAM, host has " + host.ramMb();
        }
        if (host.cores() < cores) {
            return "needs " + cores + " cores, host has " + host.cores();
        }
        return null;
    }
}
