package io.sightline.common.hardware;

import org.jboss.logging.Logger;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Detects the host's hardware once: cores and RAM from the JVM (cgroup aware), GPUs via nvidia-smi when present. */
@ApplicationScoped
public class HardwareProbe {

    private static final Logger LOG = Logger.getLogger(HardwareProbe.class);

    private volatile HardwareProfile profile;

    public HardwareProfile profile() {
        HardwareProfile current = profile;
        if (current == null) {
            synchronized (this) {
                if (profile == null) {
                    profile = detect();
                    LOG.infof("Hardware: %d cores, %d MiB RAM, GPUs %s (%s), tier %s", profile.cores(), profile.ramMb(),
                            profile.gpus(), profile.gpuProbe(), profile.tier().id());
                }
                current = profile;
            }
        }
        return current;
    }

    static HardwareProfile detect() {
        int cores = Runtime.getRuntime().availableProcessors();
        long ramMb = totalMemoryMb();
        Optional<Path> smi = onPath("nvidia-smi");
        if (smi.isEmpty()) {
            return new HardwareProfile(cores, ramMb, List.of(), "nvidia-smi not found");
        }
        try {
            Process process = new ProcessBuilder(smi.get().toString(), "--query-gpu=name,memory.total",
                    "--format=csv,noheader,nounits").redirectErrorStream(true).start();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new HardwareProfile(cores, ramMb, List.of(), "nvidia-smi timed out");
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                return new HardwareProfile(cores, ramMb, List.of(), "nvidia-smi exited " + process.exitValue());
            }
            return new HardwareProfile(cores, ramMb, HardwareProfile.parseNvidiaSmi(out), "nvidia-smi");
        } catch (Exception e) {
            return new HardwareProfile(cores, ramMb, List.of(), "nvidia-smi failed: " + e.getMessage());
        } 
    }

    private static long totalMemoryMb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (1024 * 1024);
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    /** An executable path as given (when it contains a slash) or found on PATH. */
    public static Optional<Path> onPath(String executable) {
        if (executable.contains(File.separator)) {
            Path path = Path.of(executable);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String pathEnv = System.getenv("PATH");
        if (pathEnv == null) {
            return Optional.empty();
        }
        for (String dir : pathEnv.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, executable);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
