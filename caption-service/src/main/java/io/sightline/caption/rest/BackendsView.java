package io.sightline.caption.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.caption.catalog.CatalogEntry;
import io.sightline.caption.escalation.EscalationPolicy;
import io.sightline.common.hardware.HardwareProfile;

import java.util.List;
import java.util.Map;

/** Body of {@code GET /api/v1/backends}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record BackendsView(String selected, String selection, Map<String, String> passedOver, HardwareView hardware,
                    QueueView queue, List<BackendView> backends, EscalationView escalation) {

    /**
     * The escalation pipeline: whether it runs (a describing tier selected and the onnx models present), the
     * global describing-tier budget and per camera its state (last described frame, deferred escalation,
     * pending refresh, budget windows; window ends are epoch ms of frame capture time).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record EscalationView(boolean active, String inactiveReason, EscalationPolicy.BudgetView budget,
                          List<EscalationPolicy.CameraView> cameras) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record HardwareView(int cores, long ramMb, List<HardwareProfile.Gpu> gpus, String gpuProbe, String tier) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record QueueView(int waiting, int inFlight) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record BackendView(String name, boolean available, String unavailableReason, boolean requiresGpu, int ramMb,
                       boolean selected, String lifecycle, String breaker, long failures, int concurrency,
                       LatencyView latencyMs, CatalogEntryView model) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record LatencyView(int samples, long p50, long p95, long last) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CatalogEntryView(String id, String name, int vramMb, int ramMb, int diskMb, int quality, int speed,
                            String minHardware, String placement, List<String> capabilities) {
        static CatalogEntryView of(CatalogEntry e) {
            return new CatalogEntryView(e.id(), e.name(), e.vramMb(), e.ramMb(), e.diskMb(), e.quality(), e.speed(),
                    e.minHardware().id(), e.placement().name().toLowerCase(java.util.Locale.ROOT),
                    e.capabilities().stream().sorted().toList());
        }
    }
}
