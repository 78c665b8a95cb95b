package io.sightline.capture.source;

import io.quarkus.logging.Log;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.image.ImageRejectedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory of JPEG/PNG images. Looping: cycles through the images in name order at the camera's
 * rate (re-listing each round, so added files join). Watching: publishes files that appear (or
 * change) after the source started, newest first when several arrive within one interval.
 * A half-written file is retried for a few seconds before it counts as bad.
 */
public final class DirectorySource extends PulledSource {

    private static final long WRITE_GRACE_MILLIS = 5_000;
    private final Path directory;

    public DirectorySource(String camera, SourceSpec spec, FrameFeed feed, SourceSettings settings) {
        super(camera, spec, feed, settings);
        this.directory = Path.of(spec.path());
    }

    @Override
    public void run() {
        if (spec.looping()) {
            loop();
        } else {
            watch();
        }
    }

    private void loop() {
        Backoff backoff = new Backoff(settings.reconnectInitial(), settings.reconnectMax());
        long interval = intervalMillis(settings.fps());
        int index = 0;
        while (!stopping()) {
            long started = System.currentTimeMillis();
            long wait = interval;
            try {
                List<Path> images = list();
                if (images.isEmpty()) {
                    throw new IOException("no JPEG or PNG images in " + directory);
                }
                Path next = images.get(index % images.size());
                index = (index + 1) % images.size();
                publish(next);
                backoff.reset();
                wait = interval - (System.currentTimeMillis() - started);
            } catch (IOException e) {
                wait = Math.max(interval, backoff.next());
                feed.failed("directory: " + messageOf(e));
            } catch (ImageRejectedException e) {
                feed.failed("bad image: " + e.getMessage());
            }
            if (!pause(wait)) {
                return;
            }
        }
    }

    private void watch() {
        Backoff backoff = new Backoff(settings.reconnectInitial(), settings.reconnectMax());
        long interval = Math.min(intervalMillis(settings.fps()), 1_000);
        Map<Path, FileTime> seen = new HashMap<>();
        boolean initialised = false;
        while (!stopping()) {
            long wait = interval;
            try {
                List<Path> images = list();
                Map<Path, FileTime> current = new HashMap<>();
                for (Path image : images) {
                    current.put(image, Files.getLastModifiedTime(image));
                }
                if (!initialised) {
                    // files already there belong to the past; watch for what comes next
                    seen.putAll(current);
                    initialised = true;
                    feed.connected();
                } else {
                    List<Path> fresh = new ArrayList<>();
                    for (Map.Entry<Path, FileTime> entry : current.entrySet()) {
                        if (!entry.getValue().equals(seen.get(entry.getKey()))) {
                            fresh.add(entry.getKey());
                        }
                    }
                    seen.keySet().retainAll(current.keySet());
                    if (!fresh.isEmpty()) {
                        fresh.sort(Comparator.comparing((Path p) -> current.get(p)).thenComparing(Path::toString));
                        for (int i = 0; i < fresh.size() - 1; i++) {
                            // several new files within one interval: only the newest is sampled
                            feed.frameArrived();
                            seen.put(fresh.get(i), current.get(fresh.get(i)));
                        }
                        Path newest = fresh.get(fresh.size() - 1);
                        try {
                            publish(newest);
                            seen.put(newest, current.get(newest));
                        } catch (ImageRejectedException e) {
                            long age = System.currentTimeMillis() - current.get(newest).toMillis();
                            if (age > WRITE_GRACE_MILLIS || e.kind() != ImageRejectedException.Kind.TRUNCATED) {
                                seen.put(newest, current.get(newest));
                                feed.failed("bad image " + newest.getFileName() + ": " + e.getMessage());
                            }
                        }
                    }
                }
                backoff.reset();
            } catch (IOException e) {
                wait = backoff.next();
                feed.failed("directory: " + messageOf(e));
            }
            if (!pause(wait)) {
                return;
            }
        }
    }

    private void publish(Path image) throws IOException, ImageRejectedException {
        long size = Files.size(image);
        if (size > settings.maxBytes()) {
            feed.frameArrived();
            throw new ImageRejectedException(ImageRejectedException.Kind.TOO_MANY_BYTES,
                    image.getFileName() + " has " + size + " bytes, more than the limit of " + settings.maxBytes());
        }
        byte[] bytes = Files.readAllBytes(image);
        feed.frameArrived();
        feed.offerEncoded(bytes, System.currentTimeMillis());
        feed.connected();
        Log.debugf("Camera %s: offered %s", camera, image.getFileName());
    }

    private List<Path> list() throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + " is not a directory");
        }
        try (Stream<Path> files = Files.list(directory)) {
            Path real = directory.toRealPath();
            return files.filter(Files::isRegularFile)
                    .filter(DirectorySource::isImageName)
                    .filter(f -> staysInside(f, real))
                    .sorted()
                    .toList();
        }
    }

    /** A symlink in the directory that points out of it is skipped: the camera reads only what lies inside. */
    private static boolean staysInside(Path file, Path realDirectory) {
        try {
            return file.toRealPath().startsWith(realDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isImageName(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png"));
    }
}
