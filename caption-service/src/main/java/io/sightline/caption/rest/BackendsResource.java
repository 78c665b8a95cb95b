package io.sightline.caption.rest;

import io.sightline.common.hardware.HardwareProbe;
import io.sightline.common.hardware.HardwareProfile;
import io.sightline.caption.catalog.ModelCatalog;
import io.sightline.caption.catalog.TierSelector;
import io.sightline.caption.chain.BackendChain;
import io.sightline.caption.backend.Tier;
import io.sightline.caption.escalation.EscalationPolicy;
import io.sightline.caption.pipeline.FramePipeline;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every vision tier with its availability, needs, selection, lifecycle, breaker and recent latency. */
@Path("/api/v1/backends")
@Produces(MediaType.APPLICATION_JSON)
public class BackendsResource {

    private final BackendChain chain;
    private final ModelCatalog catalog;
    private final HardwareProbe hardware;
    private final FramePipeline pipeline;
    private final EscalationPolicy policy;

    BackendsResource(BackendChain chain, ModelCatalog catalog, HardwareProbe hardware, FramePipeline pipeline,
                     EscalationPolicy policy) {
        this.policy = policy;
        this.chain = chain;
        this.catalog = catalog;
        this.hardware = hardware;
        this.pipeline = pipeline;
    }

    @GET
    public BackendsView backends() {
        TierSelector.Selection selection = chain.selection();
        Map<String, String> passedOver = new LinkedHashMap<>();
        selection.passedOver().forEach((t, r) -> passedOver.put(t.id(), r));
        HardwareProfile host = hardware.profile();
        var views = chain.status().stream().map(s -> new BackendsView.BackendView(
                s.tier().id(), s.available(), s.unavailableReason().orElse(null), s.backend().requiresGpu(), s.backend().ramMb(),
                s.tier() == selection.tier(), s.backend().lifecycleState(), s.breaker().id(), s.failures(),
                s.backend().concurrency(),
                new BackendsView.LatencyView(s.latency().samples(), s.latency().p50Ms(), s.latency().p95Ms(), s.latency().lastMs()),
                BackendsView.CatalogEntryView.of(catalog.entry(s.tier())))).toList();
        return new BackendsView(selection.tier().id(), selection.forced() ? "forced" : "auto", passedOver,
                new BackendsView.HardwareView(host.cores(), host.ramMb(), host.gpus(), host.gpuProbe(), host.tier().id()),
                new BackendsView.QueueView(pipeline.waiting(), pipeline.inFlight()), views, escalation(selection));
    }

    private BackendsView.EscalationView escalation(TierSelector.Selection selection) {
        boolean active = pipeline.analysing();
        String why = null;
        if (!active) {
            Tier head = selection.tier();
            why = head == Tier.CAPTION_SERVER || head == Tier.VLM || head == Tier.SIDECAR
                    ? "onnx models unavailable: " + chain.backend(Tier.ONNX).unavailableReason().orElse("?")
                    : "no describing tier selected (" + head.id() + " describes every frame itself)";
        }
        return new BackendsView.EscalationView(active, why, policy.globalBudget(), policy.cameras());
    }
}
