package io.sightline.common.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaIdConfigSourceTest {

    @Test
    void aRestartWithTheSameStateDirKeepsTheReplicaIdAndAnotherStateDirGetsAnother(@TempDir Path state, @TempDir Path other) {
        Map<String, String> env = Map.of("SIGHTLINE_STATE_DIR", state.toString());
        String first = new ReplicaIdConfigSource(env::get).getValue(ReplicaIdConfigSource.KEY);
        String afterRestart = new ReplicaIdConfigSource(env::get).getValue(ReplicaIdConfigSource.KEY);
        String elsewhere = new ReplicaIdConfigSource(Map.of("SIGHTLINE_STATE_DIR", other.toString())::get)
                .getValue(ReplicaIdConfigSource.KEY);

        assertThat(first).isNotBlank().isEqualTo(afterRestart);
        assertThat(Files.exists(state.resolve(ReplicaIdConfigSource.FILE))).isTrue();
        assertThat(elsewhere).isNotEqualTo(first);
    }

    @Test
    void aConfiguredReplicaIdWinsAndWithoutStateDirEachProcessIsNew(@TempDir Path state) {
        Map<String, String> env = Map.of("SIGHTLINE_REPLICA_ID", "caption-7f9c-x2", "SIGHTLINE_STATE_DIR", state.toString());
        assertThat(new ReplicaIdConfigSource(env::get).getValue(ReplicaIdConfigSource.KEY)).isEqualTo("caption-7f9c-x2");
        assertThat(Files.exists(state.resolve(ReplicaIdConfigSource.FILE))).isFalse();

        Map<String, String> none = Map.of();
        assertThat(new ReplicaIdConfigSource(none::get).getValue(ReplicaIdConfigSource.KEY))
                .isNotEqualTo(new ReplicaIdConfigSource(none::get).getValue(ReplicaIdConfigSource.KEY));
        assertThat(new ReplicaIdConfigSource(none::get).getValue("other.key")).isNull();
    }
}
