package io.sightline.gateway.health;

import io.sightline.gateway.client.CaptionClient;
import io.sightline.gateway.client.CaptureClient;
import io.sightline.gateway.client.FallbackClient;
import io.sightline.gateway.client.HistoryClient;
import io.sightline.gateway.client.WatchClient;
import io.sightline.gateway.config.GatewayConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Ready only when the services the gateway needs are ready: each downstream's own
 * {@code /q/health/ready}, probed in parallel with a short timeout. Which downstreams count is
 * {@code sightline.gateway.downstream.required-for-readiness}; the others are still reported.
 */
@Readiness
@ApplicationScoped
public class DownstreamReadiness implements AsyncHealthCheck {

    private record Probe(String name, String service, Function<Duration, Uni<Boolean>> call) {
    }

    private final List<Probe> probes;
    private final List<String> required;
    private final Duration timeout;

    DownstreamReadiness(CaptureClient capture, CaptionClient caption, FallbackClient fallback, HistoryClient history,
                        WatchClient watch, GatewayConfig config) {
        this.probes = List.of(
                new Probe("capture", CaptureClient.SERVICE, capture::ready),
                new Probe("caption", CaptionClient.SERVICE, caption::ready),
                new Probe("fallback", FallbackClient.SERVICE, fallback::ready),
                new Probe("history", HistoryClient.SERVICE, history::ready),
                new Probe("watch", WatchClient.SERVICE, watch::ready));
        this.required = config.downstream().requiredForReadiness();
        this.timeout = config.downstream().readinessTimeout();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        List<Uni<Map.Entry<Probe, String>>> checks = probes.stream()
                .map(p -> p.call().apply(timeout)
                        .map(up -> up ? "UP" : "DOWN (not ready)")
                        .onFailure().recoverWithItem(f -> "DOWN (" + (f instanceof io.smallrye.mutiny.TimeoutException
                                ? "no answer within " + timeout.toMillis() + " ms" : f.getClass().getSimpleName()) + ")")
                        .map(s -> Map.entry(p, s)))
                .toList();
        return Uni.join().all(checks).andFailFast().map(results -> {
            var builder = HealthCheckResponse.named("downstream-services");
            boolean up = true;
            for (Map.Entry<Probe, String> result : results) {
                boolean counts = required.contains(result.getKey().name());
                builder.withData(result.getKey().service(), result.getValue() + (counts ? "" : " [not required]"));
                if (counts && !result.getValue().equals("UP")) {
                    up = false;
                }
            }
            return builder.status(up).build();
        });
    }
}
