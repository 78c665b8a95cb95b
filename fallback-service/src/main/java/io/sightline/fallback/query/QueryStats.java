package io.sightline.fallback.query;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sightline.fallback.config.FallbackConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Totals per response mode, error causes and query types since start, and latency percentiles over
 * the most recent queries (a fixed window, so the figures describe current behaviour). Also records
 * every query in the Micrometer timer {@code sightline.fallback.queries} (tag {@code mode}).
 */
@ApplicationScoped
public class QueryStats {

    /** A point-in-time copy for {@code GET /api/v1/stats}. */
    public record Snapshot(Instant since, long total, Map<String, Long> byMode, long errors, Map<String, Long> errorsByCause,
                           Map<String, Long> byQueryType, long rejected, int latencyWindow, long p50Ms, long p95Ms,
                           long p99Ms, long maxMs) {
    }

    private final Instant since = Instant.now();
    private final Map<ResponseMode, LongAdder> byMode = new EnumMap<>(ResponseMode.class);
    private final Map<String, LongAdder> errorsByCause = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byQueryType = new ConcurrentHashMap<>();
    private final LongAdder rejected = new LongAdder();
    private final long[] window;
    private int next;
    private int filled;
    private final Map<ResponseMode, Timer> timers = new EnumMap<>(ResponseMode.class);

    QueryStats(FallbackConfig config, MeterRegistry registry) {
        this.window = new long[Math.max(16, config.statsWindow())];
        for (ResponseMode mode : ResponseMode.values()) {
            byMode.put(mode, new LongAdder());
            timers.put(mode, Timer.builder("sightline.fallback.queries")
                    .description("Queries answered, by response mode (processing time)")
                    .tag("mode", mode.wireName())
                    .publishPercentiles(0.5, 0.95, 0.99)
                    .register(registry));
        }
    }

    public void record(QueryAnswer answer) {
        byMode.get(answer.mode()).increment();
        byQueryType.computeIfAbsent(answer.intent().wireName(), k -> new LongAdder()).increment();
        answer.failure().ifPresent(f -> errorsByCause.computeIfAbsent(f.code(), k -> new LongAdder()).increment());
        timers.get(answer.mode()).record(Duration.ofMillis(answer.processingTimeMs()));
        synchronized (window) {
            window[next] = answer.processingTimeMs();
            next = (next + 1) % window.length;
            filled = Math.min(filled + 1, window.length);
        }
    }

    /** A request refused before it was answered (unknown camera, invalid body). */
    public void recordRejected() {
        rejected.increment();
    }

    public Snapshot snapshot() {
        long[] latencies;
        synchronized (window) {
            latencies = Arrays.copyOf(window, filled);
        }
        Arrays.sort(latencies);
        Map<String, Long> modes = new java.util.LinkedHashMap<>();
        long total = 0;
        for (ResponseMode mode : ResponseMode.values()) {
            long n = byMode.get(mode).sum();
            modes.put(mode.wireName(), n);
            total += n;
        }
        Map<String, Long> causes = new TreeMap<>();
        errorsByCause.forEach((k, v) -> causes.put(k, v.sum()));
        Map<String, Long> types = new TreeMap<>();
        byQueryType.forEach((k, v) -> types.put(k, v.sum()));
        return new Snapshot(since, total, modes, modes.get(ResponseMode.ERROR.wireName()), causes, types, rejected.sum(),
                latencies.length, percentile(latencies, 0.50), percentile(latencies, 0.95), percentile(latencies, 0.99),
                latencies.length == 0 ? 0 : latencies[latencies.length - 1]);
    }

    /** Nearest-rank percentile; 0 when nothing was recorded. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }
}
