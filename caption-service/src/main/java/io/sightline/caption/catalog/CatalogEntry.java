package io.sightline.caption.catalog;

import io.sightline.common.hardware.HardwareTier;
import io.sightline.common.hardware.HardwareProfile;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.caption.backend.Tier;

import java.util.Set;

/**
 * What one tier's model needs and gives. {@code placement} says whether the needs apply to this host
 * (local: RAM, VRAM, hardware tier are checked) or to another machine (remote: only reachability counts).
 * Quality and speed are 0 (none) .. 5 (best).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CatalogEntry(
        Tier tier,
        String id,
        String name,
        int vramMb,
        int ramMb,
        int diskMb,
        int quality,
        int speed,
        HardwareTier minHardware,
        boolean requiresGpu,
        Placement placement,
        Set<String> capabilities) {

    public enum Placement { LOCAL, REMOTE }

    public static final String CAPTION = "caption";
    public static final String OBJECTS = "objects";
    public static final String TEXT = "text";
    public static final String LABELS = "labels";

    public CatalogEntry {
        capabilities = Set.copyOf(capabilities);
    }

    /** Why this host cannot run the model, or null when it can. */
    public String hardwareShortfall(HardwareProfile host) {
        if (placement == Placement.REMOTE) {
            return null;
        }
        if (host.tier().ordinal() < minHardware.ordinal()) {
            return "needs a " + minHardware.id() + " host, this one is " + host.tier().id();
        }
        if (requiresGpu && host.maxVramMb() < vramMb) {
            return "needs a GPU with " + vramMb + " MiB VRAM, largest found has " + host.maxVramMb();
        }
        if (host.ramMb() < ramMb) {
            return "needs " + ramMb + " MiB RAM, host has " + host.ramMb();
        }
        return null;
    }
}
