package io.sightline.vlm.lifecycle;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Trust on first use for model files whose catalog entry pins no sha256: after the first complete download
 * (or the first start with a file placed by hand) the file's digest is recorded in {@value #FILE_NAME} next
 * to it ({@code <file name>=<sha256>}); from then on it is pinned, so every later start verifies the file
 * and every later download must produce the same bytes. Delete a line (or the file) to trust anew.
 */
public final class Sha256Pins {

    public static final String FILE_NAME = "sha256-pins.properties";

    private final Path file;

    public Sha256Pins(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** The recorded digest of {@code fileName}, if any. */
    public synchronized Optional<String> get(String fileName) {
        return Optional.ofNullable(load().getProperty(fileName)).map(String::trim).filter(s -> s.matches("[0-9a-f]{64}"));
    }

    /** Records {@code sha256} for {@code fileName} (written to a temporary file, then moved into place). */
    public synchronized void record(String fileName, String sha256) {
        Properties pins = load();
        pins.setProperty(fileName, sha256);
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            out.write("# sha256 of model files recorded on first download (trust on first use); verified on every later start\n");
            for (var e : new TreeMap<>(pins).entrySet()) {
                out.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException io) {
                throw new UncheckedIOException("cannot write " + file, io);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private Properties load() {
        Properties pins = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                pins.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return pins;
    }
}
