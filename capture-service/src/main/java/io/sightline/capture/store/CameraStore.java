package io.sightline.capture.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sightline.capture.camera.CameraSpec;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The camera configuration on disk ({@code cameras.json} in the state directory), so cameras added at
 * run time survive a restart. Written to a temporary file and atomically renamed: a crash leaves the
 * old or the new file, never half of one. The file holds source URLs with their credentials, so it
 * is created readable by its owner only.
 */
public final class CameraStore {

    /** The file's shape: {@code {"version":1,"cameras":[...]}}. */
    record Document(int version, List<CameraSpec> cameras) {
    }

    private final Path file;
    private final ObjectMapper mapper;

    public CameraStore(Path directory, ObjectMapper mapper) {
        this.file = directory.resolve("cameras.json");
        this.mapper = mapper.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    public Path file() {
        return file;
    }

    /** The stored cameras by id; empty when nothing was stored yet. Throws when the file is unreadable. */
    public synchronized Map<String, CameraSpec> load() throws IOException {
        Map<String, CameraSpec> cameras = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return cameras;
        }
        Document document = mapper.readValue(file.toFile(), Document.class);
        if (document.cameras() != null) {
            for (CameraSpec camera : document.cameras()) {
                cameras.put(camera.id(), camera);
            }
        }
        return cameras;
    }

    public synchronized void save(Map<String, CameraSpec> cameras) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), "cameras", ".json.tmp");
        try {
            List<CameraSpec> sorted = cameras.values().stream().sorted(Comparator.comparing(CameraSpec::id)).toList();
            mapper.writeValue(temp.toFile(), new Document(1, sorted));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
