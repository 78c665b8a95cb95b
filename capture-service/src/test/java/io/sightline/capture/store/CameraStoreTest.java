package io.sightline.capture.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.capture.camera.CameraSpec;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.camera.SourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CameraStoreTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void camerasSurviveARestartWithTheirCredentialsOnlyOnDisk(@TempDir Path dir) throws Exception {
        Map<String, CameraSpec> cameras = new LinkedHashMap<>();
        cameras.put("door", new CameraSpec("door", new SourceSpec(SourceType.RTSP, "rtsp://admin:pw@10.0.0.5/stream1", null, null), 2.0, 0.05, 10.0));
        cameras.put("demo", new CameraSpec("demo", new SourceSpec(SourceType.DIRECTORY, null, "/data/images", true), 1.0, null, null));
        new CameraStore(dir.resolve("state"), mapper).save(cameras);

        Map<String, CameraSpec> loaded = new CameraStore(dir.resolve("state"), mapper).load();

        assertThat(loaded).isEqualTo(cameras);
        Path file = dir.resolve("state").resolve("cameras.json");
        assertThat(Files.readString(file)).contains("\"keep_alive_seconds\"").contains("rtsp://admin:pw@10.0.0.5/stream1");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("cameras.json");
        }
    }

    @Test
    void rewritingReplacesTheWholeFile(@TempDir Path dir) throws Exception {
        CameraStore store = new CameraStore(dir, mapper);
        store.save(Map.of("a", new CameraSpec("a", new SourceSpec(SourceType.PUSH, null, null, null), null, null, null)));
        store.save(Map.of("b", new CameraSpec("b", new SourceSpec(SourceType.PUSH, null, null, null), null, null, null)));

        assertThat(store.load()).containsOnlyKeys("b");
    }

    @Test
    void corruptFileIsReportedNotSilentlyIgnored(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cameras.json"), "{\"version\":1,\"cameras\":[{\"id\":");

        assertThatThrownBy(() -> new CameraStore(dir, mapper).load()).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void noFileMeansNoCameras(@TempDir Path dir) throws Exception {
        assertThat(new CameraStore(dir.resolve("fresh"), mapper).load()).isEmpty();
    }
}
