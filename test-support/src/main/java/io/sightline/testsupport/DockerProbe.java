package io.sightline.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a Docker engine is reachable, without letting Testcontainers spend seconds finding out. */
final class DockerProbe {

    private DockerProbe() {
    }

    static boolean dockerAvailable() {
        String host = System.getenv("DOCKER_HOST");
        boolean socket = Files.exists(Path.of("/var/run/docker.sock"));
        if (host == null && !socket) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }
}
