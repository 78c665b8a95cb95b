package io.sightline.capture.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** A fresh state directory per application start, removed afterwards, so stored cameras never leak between runs. */
public class TestStateDir implements QuarkusTestResourceLifecycleManager {

    private static volatile Path current;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            Files.createDirectories(Path.of("target"));
            dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "capture-state");
            current = dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("sightline.capture.state-dir", dir.toString());
    }

    public static Path current() {
        return current;
    }

    @Override
    public void stop() {
        delete(dir);
    }

    public static void delete(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
