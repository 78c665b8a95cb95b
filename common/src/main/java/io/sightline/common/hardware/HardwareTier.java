package io.sightline.common.hardware;

/** Coarse host classes a model needs at least; ordered from weakest to strongest. */
public enum HardwareTier {
    /** Anything that runs the JVM (1-2 cores, a few GiB RAM). */
    MINIMAL,
    /** A desktop-class CPU box: at least 4 cores and 8 GiB RAM. */
    CPU,
    /** An NVIDIA GPU with at least 4 GiB of VRAM. */
    GPU;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
