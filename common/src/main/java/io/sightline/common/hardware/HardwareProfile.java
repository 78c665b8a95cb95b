package io.sightline.common.hardware;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/** What this host offers: cores, RAM (container limit aware) and NVIDIA GPUs found by nvidia-smi. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HardwareProfile(int cores, long ramMb, List<Gpu> gpus, String gpuProbe) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Gpu(String name, long vramMb) {
    }

    public HardwareProfile {
        gpus = List.copyOf(gpus);
    }

    /** VRAM of the largest GPU, 0 without one. */
    public long maxVramMb() {
        return gpus.stream().mapToLong(Gpu::vramMb).max().orElse(0);
    }

    public HardwareTier tier() {
        if (maxVramMb() >= 4096) {
            return HardwareTier.GPU;
        }
        if (cores >= 4 && ramMb >= 8 * 1024 - 512) {
            return HardwareTier.CPU;
        }
        return HardwareTier.MINIMAL;
    }

    /** Parses {@code nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits} output. */
    public static List<Gpu> parseNvidiaSmi(String output) {
        return output.lines()
                .map(String::trim)
                .filter(l -> !l.isEmpty())
                .map(l -> {
                    int comma = l.lastIndexOf(',');
                    if (comma < 0) {
                        return null;
                    }
                    try {
                        return new Gpu(l.substring(0, comma).trim(), Long.parseLong(l.substring(comma + 1).trim()));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                })
                .filter(g -> g != null)
                .toList();
    }
}
