package io.sightline.caption.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the stand-in servers of the caption tests behave, as small files in a control directory the tests
 * write and the servers read on every request (works across class loaders and for the stand-in process).
 * A mode file holds one of: {@code ok}, {@code ok TEXT}, {@code status N}, {@code delay MS}.
 */
public final class StandInControl {

    public record Mode(int status, long delayMs, String text) {
    }

    private StandInControl() {
    }

    public static void set(Path dir, String name, String value) {
        try {
            Path tmp = Files.createTempFile(dir, name, ".tmp");
            Files.writeString(tmp, value);
            Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path dir, String name, String fallback) {
        try {
            Path file = dir.resolve(name);
            return Files.exists(file) ? Files.readString(file).trim() : fallback;
        } catch (IOException e) {
            return fallback;
        }
    }

    public static Mode mode(Path dir, String name) {
        String value = read(dir, name, "ok");
        String[] parts = value.split(" ", 2);
        return switch (parts[0]) {
            case "status" -> new Mode(Integer.parseInt(parts[1].trim()), 0, "{\"error\":{\"message\":\"scripted failure\"}}");
            case "delay" -> new Mode(200, Long.parseLong(parts[1].trim()), null);
            default -> new Mode(200, 0, parts.length > 1 ? parts[1] : null);
        };
    }

    public static long number(Path dir, String name) {
        return Long.parseLong(read(dir, name, "0"));
    }
}
