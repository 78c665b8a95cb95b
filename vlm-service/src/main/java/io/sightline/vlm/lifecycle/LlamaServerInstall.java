package io.sightline.vlm.lifecycle;

import io.quarkus.logging.Log;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A llama-server provisioned by vlm-service itself (issue 11: "found on PATH or configured, else
 * downloaded"): the configured archive ({@code sightline.vlm.llama-server.download-url}, a llama.cpp
 * release {@code .zip} with the executable and its libraries, or the bare executable) is fetched like a
 * model file (mirrors, resume, sha256 or trust on first use) into {@code <models-dir>/llama-server/} and
 * unpacked into its {@code dist/}; the executable is the file named {@code llama-server} found there.
 */
public final class LlamaServerInstall {

    static final String EXECUTABLE = "llama-server";
    static final String DIST = "dist";

    private LlamaServerInstall() {
    }

    /** The provisioned executable under {@code dir}, if one was installed. */
    public static Optional<Path> find(Path dir) {
        Path dist = dir.resolve(DIST);
        if (!Files.isDirectory(dist)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(dist, 8)) {
            return files.filter(p -> p.getFileName().toString().equals(EXECUTABLE))
                    .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                    .min(Comparator.comparingInt(Path::getNameCount));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Unpacks (a .zip) or places (a bare executable) the downloaded {@code archive} into {@code dir/dist}. */
    static Path install(Path archive, Path dir) {
        Path dist = dir.resolve(DIST).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dist);
            if (archive.getFileName().toString().endsWith(".zip")) {
                try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
                    for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                        Path target = dist.resolve(entry.getName()).normalize();
                        if (!target.startsWith(dist)) {
                            throw new IOException("archive entry leaves the install directory: " + entry.getName());
                        }
                        if (entry.isDirectory()) {
                            Files.createDirectories(target);
                        } else {
                            Files.createDirectories(target.getParent());
                            copy(zip, target);
                        }
                    }
                }
            } else {
                try (InputStream in = Files.newInputStream(archive)) {
                    copy(in, dist.resolve(EXECUTABLE));
                }
            }
            // zip entries carry no POSIX modes here: the executable (and any sibling executables of its bin) get 0755
            try (Stream<Path> files = Files.walk(dist, 8)) {
                files.filter(p -> Files.isRegularFile(p) && (p.getFileName().toString().startsWith(EXECUTABLE)
                                || p.getParent().getFileName().toString().equals("bin")))
                        .forEach(LlamaServerInstall::makeExecutable);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not install llama-server from " + archive + ": " + e.getMessage(), e);
        }
        Path executable = find(dir).orElseThrow(() -> new IllegalStateException(
                "the llama-server archive " + archive.getFileName() + " holds no file named " + EXECUTABLE));
        Log.infof("Provisioned llama-server %s from %s", executable, archive.getFileName());
        return executable;
    }

    private static void copy(InputStream in, Path target) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void makeExecutable(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException | UnsupportedOperationException e) {
            file.toFile().setExecutable(true, false);
        }
    }
}
