package io.sightline.common.download;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One file a tier needs: where it lives under the models directory, where to fetch it, and the
 * sha256 and size it must have.
 *
 * @param relativePath path under the models directory, '/'-separated, e.g. {@code yolox-nano/yolox_nano.onnx}
 * @param url          http(s) address of the exact bytes
 * @param sha256       lower-case hex digest the file must have, or null when none is pinned yet (trust on first
 *                     use: the file is accepted as downloaded, and the caller records its digest to verify it later)
 * @param sizeBytes    expected size, or 0 when unknown (then only the digest is checked)
 */
public record ModelFile(String relativePath, URI url, String sha256, long sizeBytes) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ModelFile {
        if (relativePath == null || relativePath.isBlank()) {
            throw new IllegalArgumentException("relativePath is required");
        }
        Path path = Path.of(relativePath).normalize();
        if (path.isAbsolute() || path.startsWith("..") || relativePath.contains("\\")) {
            throw new IllegalArgumentException("relativePath must stay inside the models directory: " + relativePath);
        }
        if (url == null || url.getScheme() == null
                || !(url.getScheme().equalsIgnoreCase("https") || url.getScheme().equalsIgnoreCase("http"))) {
            throw new IllegalArgumentException(relativePath + ": url must be http(s), was " + url);
        }
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException(relativePath + ": sha256 must be 64 hex digits, was " + sha256);
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException(relativePath + ": sizeBytes must be >= 0, was " + sizeBytes);
        }
    }

    /** Whether a digest is pinned (false: trust on first use). */
    public boolean pinned() {
        return sha256 != null;
    }

    /** The same file fetched from another address (a mirror, or a local server in tests). */
    public ModelFile withUrl(URI other) {
        return new ModelFile(relativePath, other, sha256, sizeBytes);
    }

    /** Where the file lives under {@code modelsDir}. */
    public Path resolveIn(Path modelsDir) {
        return modelsDir.resolve(relativePath).normalize();
    }
}
