package io.sightline.caption.chain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.sightline.caption.backend.BackendFailure;
import io.sightline.caption.backend.Tier;
import io.sightline.caption.backend.VisionBackend;
import io.sightline.common.hardware.HardwareProbe;
import io.sightline.caption.catalog.ModelCatalog;
import io.sightline.caption.catalog.TierSelector;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The tiers in chain order, each behind its own circuit breaker. A frame starts at the selected tier
 * and walks down on tier faults, rejections and open breakers until a tier describes it; {@code none}
 * ends the chain. Selection is re-evaluated whenever availability is probed.
 */
@ApplicationScoped
public class BackendChain {

    /** Status of one tier for {@code GET /api/v1/backends}. */
    public record TierStatus(Tier tier, VisionBackend backend, boolean available, Optional<String> unavailableReason,
                             TierBreaker.State breaker, LatencyWindow.Summary latency, long failures) {
    }

    private final CaptionConfig config;
    private final ModelCatalog catalog;
    private final HardwareProbe hardware;
    private final MeterRegistry registry;
    private final Map<Tier, VisionBackend> backends = new EnumMap<>(Tier.class);
    private final Map<Tier, TierBreaker> breakers = new EnumMap<>(Tier.class);
    private final Map<Tier, LatencyWindow> latencies = new EnumMap<>(Tier.class);
    private final Map<Tier, Counter> tierFaults = new EnumMap<>(Tier.class);
    private final Optional<Tier> forced;
    private volatile TierSelector.Selection selection;

    BackendChain(CaptionConfig config, ModelCatalog catalog, HardwareProbe hardware, Instance<VisionBackend> all,
                 MeterRegistry registry) {
        this.config = config;
        this.catalog = catalog;
        this.hardware = hardware;
        this.registry = registry;
        for (VisionBackend backend : all) {
            Tier tier = Tier.fromId(backend.name())
                    .orElseThrow(() -> new IllegalStateException("backend '" + backend.name() + "' is not a known tier"));
            backends.put(tier, backend);
        }
        if ("auto".equalsIgnoreCase(config.backend().trim())) {
            forced = Optional.empty();
        } else {
            forced = Optional.of(Tier.fromId(config.backend()).orElseThrow(() -> new IllegalArgumentException(
                    "sightline.caption.backend (SIGHTLINE_VISION_BACKEND) is '" + config.backend()
                            + "'; expected auto, caption-server, vlm, sidecar, onnx, labels or none")));
        }
        for (Tier tier : Tier.values()) {
            if (!backends.containsKey(tier)) {
                throw new IllegalStateException("no backend bean for tier " + tier.id());
            }
            TierBreaker breaker = new TierBreaker(config.breaker().failureThreshold(), config.breaker().coolDown());
            breakers.put(tier, breaker);
            latencies.put(tier, new LatencyWindow(200));
            tierFaults.put(tier, Counter.builder("sightline.caption.backend.failures").tag("backend", tier.id())
                    .description("Tier faults (timeouts, 5xx, refused connections) per tier").register(registry));
            Gauge.builder("sightline.caption.backend.breaker", breaker, b -> b.state().ordinal())
                    .description("Breaker state per tier: 0 closed, 1 open, 2 half-open")
                    .tag("backend", tier.id()).register(registry);
            Gauge.builder("sightline.caption.backend.selected", this, c -> c.selected() == tier ? 1 : 0)
                    .tag("backend", tier.id()).register(registry);
        }
        reselect();
    }

    void onStart(@Observes StartupEvent event) {
        probeAvailability();
    }

    /** Re-checks availability of every tier, then the selection. */
    @Scheduled(every = "${sightline.caption.availability-probe-interval:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void probeAvailability() {
        Multi.createFrom().iterable(backends.values())
                .onItem().transformToUniAndMerge(b -> b.probeAvailability().onFailure().recoverWithItem(false))
                .collect().asList()
                .subscribe().with(r -> reselect(), e -> Log.warnf("Availability probe failed: %s", e.getMessage()));
    }

    /** Recomputes the head of the chain from catalog, hardware and availability; starts it when it changed. */
    public synchronized TierSelector.Selection reselect() {
        Map<Tier, String> unavailable = new EnumMap<>(Tier.class);
        backends.forEach((tier, backend) -> backend.unavailableReason().ifPresent(r -> unavailable.put(tier, r)));
        TierSelector.Selection next = TierSelector.select(forced, unavailable, catalog, hardware.profile());
        TierSelector.Selection previous = selection;
        selection = next;
        if (previous == null || previous.tier() != next.tier()) {
            Log.infof("Vision tier %s selected (%s)%s", next.tier().id(), next.forced() ? "forced" : "auto",
                    next.passedOver().isEmpty() ? "" : "; passed over " + describe(next.passedOver()));
            VisionBackend head = backends.get(next.tier());
            if (next.tier() == Tier.ONNX || next.tier() == Tier.LABELS) {
                // Local models: load now rather than on the first frame (remote and lazy tiers start on demand).
                head.start().subscribe().with(v -> { }, e -> Log.warnf("Starting tier %s failed: %s", head.name(), e.getMessage()));
            }
        }
        return next;
    }

    private static String describe(Map<Tier, String> reasons) {
        List<String> parts = new ArrayList<>();
        reasons.forEach((t, r) -> parts.add(t.id() + " (" + r + ")"));
        return String.join(", ", parts);
    }

    public Tier selected() {
        return selection.tier();
    }

    public TierSelector.Selection selection() {
        return selection;
    }

    public VisionBackend backend(Tier tier) {
        return backends.get(tier);
    }

    /** The tier a frame dispatched now would most likely reach: the first from the head that is usable with a non-open breaker. */
    public Tier effectiveTier() {
        Tier head = selected();
        for (Tier tier : Tier.values()) {
            if (tier.ordinal() < head.ordinal()) {
                continue;
            }
            if (tier == Tier.NONE || (backends.get(tier).isAvailable() && breakers.get(tier).state() != TierBreaker.State.OPEN)) {
                return tier;
            }
        }
        return Tier.NONE;
    }

    public List<TierStatus> status() {
        List<TierStatus> out = new ArrayList<>();
        for (Tier tier : Tier.values()) {
            VisionBackend backend = backends.get(tier);
            Optional<String> reason = backend.unavailableReason();
            out.add(new TierStatus(tier, backend, reason.isEmpty(), reason, breakers.get(tier).state(),
                    latencies.get(tier).summary(), (long) tierFaults.get(tier).count()));
        }
        return out;
    }

    /** Describes the frame with the first tier that can, starting at the selected one. */
    public Uni<ChainOutcome> describe(CapturedFrame frame) {
        return attempt(frame, selected(), new ArrayList<>(), new ArrayList<>());
    }

    private Uni<ChainOutcome> attempt(CapturedFrame frame, Tier tier, List<String> fallbacks, List<String> reasons) {
        if (tier == Tier.NONE && !fallbacks.isEmpty() && !config.fallThroughToNone() && selected() != Tier.NONE) {
            return Uni.createFrom().failure(new AllTiersFailedException(reasons));
        }
        VisionBackend backend = backends.get(tier);
        boolean head = tier == selected();
        if (tier != Tier.NONE && !backend.isAvailable()) {
            if (head) {
                fallbacks.add(tier.id());
                reasons.add(tier.id() + ": unavailable (" + backend.unavailableReason().orElse("?") + ")");
            }
            return attempt(frame, next(tier), fallbacks, reasons);
        }
        TierBreaker breaker = breakers.get(tier);
        if (!breaker.tryAcquire()) {
            fallbacks.add(tier.id());
            reasons.add(tier.id() + ": breaker open");
            registry.counter("sightline.caption.backend.skipped", "backend", tier.id(), "reason", "breaker_open").increment();
            return attempt(frame, next(tier), fallbacks, reasons);
        }
        long t0 = System.nanoTime();
        Uni<io.sightline.caption.backend.FrameDescription> call;
        try {
            call = backend.describe(frame, config.prompt());
        } catch (RuntimeException e) {
            call = Uni.createFrom().failure(e);
        }
        return call
                .map(description -> {
                    long nanos = System.nanoTime() - t0;
                    breaker.onSuccess();
                    latencies.get(tier).record(TimeUnit.NANOSECONDS.toMillis(nanos));
                    timer(tier, "success").record(nanos, TimeUnit.NANOSECONDS);
                    return new ChainOutcome(tier, description, fallbacks, reasons, TimeUnit.NANOSECONDS.toMillis(nanos));
                })
                .onFailure(e -> !(e instanceof InvalidFrameException)).recoverWithUni(e -> {
                    timer(tier, "failure").record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                    boolean tierFault = !(e instanceof BackendFailure failure) || failure.tierFault();
                    if (tierFault) {
                        breaker.onFailure();
                        tierFaults.get(tier).increment();
                        Log.warnf("Tier %s failed on frame %s of camera %s (breaker %s): %s", tier.id(), frame.frameId(),
                                frame.camera(), breaker.state().id(), e.getMessage());
                    } else {
                        breaker.onNeutral();
                        registry.counter("sightline.caption.backend.skipped", "backend", tier.id(), "reason", "rejected").increment();
                        Log.debugf("Tier %s passed frame %s on: %s", tier.id(), frame.frameId(), e.getMessage());
                    }
                    fallbacks.add(tier.id());
                    reasons.add(tier.id() + ": " + e.getMessage());
                    if (tier == Tier.NONE) {
                        return Uni.createFrom().failure(new AllTiersFailedException(reasons));
                    }
                    return attempt(frame, next(tier), fallbacks, reasons);
                })
                .onFailure(InvalidFrameException.class).invoke(e -> breaker.onNeutral());
    }

    private Timer timer(Tier tier, String outcome) {
        return Timer.builder("sightline.caption.backend.latency")
                .description("Time a tier took to describe a frame (start waits included)")
                .tag("backend", tier.id()).tag("outcome", outcome)
                .publishPercentiles(0.5, 0.95)
                .distributionStatisticExpiry(Duration.ofMinutes(2))
                .register(registry);
    }

    private static Tier next(Tier tier) {
        return Tier.values()[Math.min(tier.ordinal() + 1, Tier.NONE.ordinal())];
    }
}
