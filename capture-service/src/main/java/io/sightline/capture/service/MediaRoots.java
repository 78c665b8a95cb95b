package io.sightline.capture.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * The directories file and directory sources may read. A path is taken only when its real path
 * (symlinks resolved) lies inside a root's real path; a missing, unreadable, wrong-kind or escaping
 * path gets one and the same answer, so the API cannot be used to probe the file system.
 */
final class MediaRoots {

    private final List<Path> roots;

    MediaRoots(List<Path> roots) {
        this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    List<Path> roots() {
        return roots;
    }

    /** The real path of {@code given} when it is an existing, readable file (or directory) under a root. */
    Path resolve(String given, boolean directory) {
        Path lexical = Path.of(given).toAbsolutePath().normalize();
        if (roots.stream().noneMatch(lexical::startsWith)) {
            throw CaptureRejection.badRequest("path_not_allowed", "file and directory sources must lie under "
                    + describeRoots() + " (sightline.capture.media-roots)");
        }
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (IOException | SecurityException e) {
            throw unavailable(given, directory);
        }
        boolean inside = false;
        for (Path root : roots) {
            try {
                inside |= real.startsWith(root.toRealPath());
            } catch (IOException | SecurityException e) {
                // a missing root holds nothing
            }
        }
        boolean kind = directory ? Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS) : Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS);
        if (!inside || !kind || !Files.isReadable(real)) {
            throw unavailable(given, directory);
        }
        return real;
    }

    private String describeRoots() {
        return roots.size() == 1 ? roots.get(0).toString() : roots.toString();
    }

    private CaptureRejection unavailable(String given, boolean directory) {
        return CaptureRejection.badRequest("invalid_path", given + " is not a readable " + (directory ? "directory" : "file")
                + " under " + describeRoots());
    }
}
