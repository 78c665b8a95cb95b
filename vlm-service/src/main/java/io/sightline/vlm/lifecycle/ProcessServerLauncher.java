package io.sightline.vlm.lifecycle;

import io.quarkus.logging.Log;
import io.sightline.common.hardware.HardwareProbe;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one hosted model's {@code llama-server} as a child process this service owns: output appended to
 * a log file, stopped with SIGTERM and, after {@code stopTimeout}, killed. One instance per hosted model.
 */
public class ProcessServerLauncher implements ServerLauncher {

    public static final String KIND = "process";

    /**
     * What to run: executable (path or name on PATH), model files, address and the remaining flags;
     * {@code provisionDir}: where a llama-server vlm-service downloads itself is installed
     * ({@link LlamaServerInstall}), {@code provisionable}: whether one is configured for download.
     */
    public record Spec(String executable, Path model, Optional<Path> mmproj, String host, int port, List<String> flags,
                       Path logFile, Duration stopTimeout, Optional<Path> provisionDir, boolean provisionable) {
        public Spec {
            flags = List.copyOf(flags);
            provisionDir = provisionDir == null ? Optional.empty() : provisionDir;
        }

        public Spec(String executable, Path model, Optional<Path> mmproj, String host, int port, List<String> flags,
                    Path logFile, Duration stopTimeout) {
            this(executable, model, mmproj, host, port, flags, logFile, stopTimeout, Optional.empty(), false);
        }
    }

    private final Spec config;
    private volatile Process process;
    private volatile String lastExit;

    public ProcessServerLauncher(Spec spec) {
        this.config = spec;
    }

    public Spec spec() {
        return config;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public boolean mayAct() {
        return true;
    }

    /** Why the process cannot be started (executable or model files missing), empty when it can. */
    public Optional<String> unavailableReason() {
        Optional<String> executable = executableProblem();
        if (executable.isPresent()) {
            return executable;
        }
        if (!Files.isRegularFile(config.model())) {
            return Optional.of("model file " + config.model() + " missing");
        }
        if (config.mmproj().isPresent() && !Files.isRegularFile(config.mmproj().get())) {
            return Optional.of("mmproj file " + config.mmproj().get() + " missing");
        }
        return Optional.empty();
    }

    /** Why the llama-server executable cannot be run, if it cannot. */
    public Optional<String> executableProblem() {
        if (executablePath().isEmpty() && !config.provisionable()) {
            // not downloaded: no llama.cpp release archive is pinned (URL + sha256) for this service yet
            return Optional.of("llama-server not provisioned: executable '" + config.executable() + "' not found or not executable; "
                    + "install llama.cpp's llama-server on PATH or set SIGHTLINE_LLAMA_SERVER (sightline.vlm.llama-server.executable) "
                    + "to its path, or sightline.vlm.llama-server.download-url (+ download-sha256) to have it downloaded");
        }
        return Optional.empty();
    }

    /** The executable: on PATH or configured, else the one vlm-service provisioned. */
    Optional<Path> executablePath() {
        return HardwareProbe.onPath(config.executable()).or(() -> config.provisionDir().flatMap(LlamaServerInstall::find));
    }

    /** The command line, as started. */
    List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(executablePath().map(Path::toString).orElse(config.executable()));
        command.addAll(List.of("--model", config.model().toString()));
        config.mmproj().ifPresent(m -> command.addAll(List.of("--mmproj", m.toString())));
        command.addAll(List.of("--host", config.host(), "--port", Integer.toString(config.port())));
        command.addAll(config.flags());
        return command;
    }

    @Override
    public Uni<Void> start() {
        return Uni.createFrom().item(() -> {
            startProcess();
            return (Void) null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private synchronized void startProcess() {
        if (process != null && process.isAlive()) {
            return;
        }
        Optional<String> problem = unavailableReason();
        if (problem.isPresent()) {
            throw new IllegalStateException(problem.get());
        }
        Path log = config.logFile().toAbsolutePath();
        try {
            if (log.getParent() != null) {
                Files.createDirectories(log.getParent());
            }
            List<String> command = command();
            Files.writeString(log, "=== " + java.time.Instant.now() + " starting " + String.join(" ", command) + System.lineSeparator(),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            lastExit = null;
            Log.infof("Started llama-server pid %d on %s:%d (log %s)", process.pid(), config.host(), config.port(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + config.executable() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Uni<Void> stop() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().item(() -> {
            stopProcess(current);
            return (Void) null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private void stopProcess(Process current) {
        long pid = current.pid();
        current.destroy();
        try {
            current.onExit().get(config.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Log.infof("llama-server pid %d exited with %d after SIGTERM", pid, current.exitValue());
        } catch (TimeoutException e) {
            Log.warnf("llama-server pid %d still running %s after SIGTERM; killing it", pid, config.stopTimeout());
            current.descendants().forEach(ProcessHandle::destroyForcibly);
            current.destroyForcibly();
            current.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            current.destroyForcibly();
        } catch (Exception e) {
            current.destroyForcibly();
        }
        lastExit = "exited with " + current.exitValue();
    }

    @Override
    public boolean running() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** PID of the running server, for status and tests. */
    public Optional<Long> pid() {
        Process current = process;
        return current != null && current.isAlive() ? Optional.of(current.pid()) : Optional.empty();
    }

    /** How the last process ended (exit code), when it has. */
    public Optional<String> exitDescription() {
        Process current = process;
        if (current != null && !current.isAlive()) {
            return Optional.of("exited with code " + current.exitValue() + " (see " + config.logFile() + ")");
        }
        return Optional.ofNullable(lastExit);
    }

    /** Stops the process (if running) synchronously: at shutdown. */
    public void shutdown() {
        Process current = process;
        if (current != null && current.isAlive()) {
            Log.infof("Stopping llama-server pid %d at shutdown", current.pid());
            stopProcess(current);
        }
    }
}
