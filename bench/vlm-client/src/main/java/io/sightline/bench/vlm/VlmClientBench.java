package io.sightline.bench.vlm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.sightline.common.vlm.ChatMessage;
import io.sightline.common.vlm.ChatRequest;
import io.sightline.common.vlm.ChatResult;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmEndpoint;
import io.sightline.common.vlm.VertxVlmClients;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two measurements of common's VLM client against a Vert.x stand-in server whose "model" answers after a
 * fixed delay (a timer, no thread): (1) the client's own overhead (observed latency minus the service time)
 * at 1, 10 and 50 concurrent callers; (2) the queue wait of HIGH requests arriving while LOW requests
 * saturate a 2-slot endpoint, compared with the same probes sent as LOW (plain FIFO).
 */
public final class VlmClientBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 10;
        Vertx vertx = Vertx.vertx();
        long serviceMs = 50;
        HttpServer server = standIn(vertx, serviceMs);
        String base = "http://127.0.0.1:" + server.actualPort() + "/v1";
        try (VertxVlmClients clients = new VertxVlmClients(vertx, new SimpleMeterRegistry(), OpenTelemetry.noop())) {
            System.out.printf("cores %d, java %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            overhead(clients, base, serviceMs, 50, 3); // warm-up
            System.out.println("== client overhead, stand-in service time " + serviceMs + " ms, 64 slots ==");
            for (int callers : new int[]{1, 10, 50}) {
                overhead(clients, base, serviceMs, callers, seconds);
            }
            System.out.println("== queue wait under saturating LOW load: 2 slots, 100 ms service, 40 LOW callers, a probe every 250 ms ==");
            priority(clients, base + "?p=high", Priority.HIGH, seconds);
            priority(clients, base + "?p=fifo", Priority.LOW, seconds);
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        System.exit(0); // Mutiny's default executor keeps non-daemon threads alive
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.of(List.of(ChatMessage.system("You describe frames."), ChatMessage.user(text)), 50, 0.0);
    }

    private static void overhead(VertxVlmClients clients, String base, long serviceMs, int callers, long seconds) {
        VlmClient client = clients.forEndpoint(VlmEndpoint.of("overhead", base, "stand-in").withSlots(64, 256)
                .withTimeout(Duration.ofSeconds(10)));
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            chains.add(Multi.createBy().repeating().uni(() -> {
                        long start = System.nanoTime();
                        return client.chat(ask("describe"), Priority.HIGH).invoke(r -> latencies.add(System.nanoTime() - start));
                    }).whilst(r -> !stop.get())
                    .collect().last().replaceWithVoid().subscribeAsCompletionStage());
        }
        sleep(seconds);
        stop.set(true);
        chains.forEach(CompletableFuture::join);
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("callers %2d: %6d calls, %7.1f calls/s, latency p50 %6.2f ms p99 %6.2f ms, overhead p50 %5.2f ms p99 %5.2f ms%n",
                callers, sorted.size(), sorted.size() / (double) seconds, ms(pct(sorted, 50)), ms(pct(sorted, 99)),
                ms(pct(sorted, 50)) - serviceMs, ms(pct(sorted, 99)) - serviceMs);
    }

    private static void priority(VertxVlmClients clients, String base, Priority probePriority, long seconds) {
        VlmClient client = clients.forEndpoint(VlmEndpoint.of("prio-" + probePriority, base.replace("?p=high", "").replace("?p=fifo", ""),
                "stand-in-slow").withSlots(2, 200).withTimeout(Duration.ofSeconds(120)));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lowDone = new AtomicLong();
        List<CompletableFuture<Void>> lows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lows.add(Multi.createBy().repeating().uni(() -> client.chat(ask("slow low"), Priority.LOW).invoke(lowDone::incrementAndGet))
                    .whilst(r -> !stop.get()).collect().last().replaceWithVoid().subscribeAsCompletionStage());
        }
        sleep(2);
        List<CompletableFuture<ChatResult>> probes = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            probes.add(client.chat(ask("slow probe"), probePriority).subscribeAsCompletionStage());
            sleepMs(250);
        }
        List<Long> waits = new ArrayList<>();
        for (CompletableFuture<ChatResult> probe : probes) {
            waits.add(probe.join().queueWaitMs());
        }
        stop.set(true);
        lows.forEach(CompletableFuture::join);
        Collections.sort(waits);
        System.out.printf("probes as %-4s: %3d probes, queue wait p50 %5d ms p95 %5d ms max %5d ms; LOW completed %d (%.1f/s)%n",
                probePriority, waits.size(), pct(waits, 50), pct(waits, 95), waits.get(waits.size() - 1), lowDone.get(),
                lowDone.get() / (seconds + 2.0));
    }

    /** The stand-in: model "stand-in-slow" answers after 100 ms, any other after {@code serviceMs}. */
    private static HttpServer standIn(Vertx vertx, long serviceMs) throws Exception {
        return vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String model;
            try {
                model = JSON.readTree(body.toString()).path("model").asText();
            } catch (Exception e) {
                request.response().setStatusCode(400).end();
                return;
            }
            long delay = "stand-in-slow".equals(model) ? 100 : serviceMs;
            vertx.setTimer(delay, id -> {
                ObjectNode answer = JSON.createObjectNode();
                answer.put("model", model);
                ObjectNode choice = answer.putArray("choices").addObject();
                choice.put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", "A parked car and an open gate.");
                request.response().putHeader("Content-Type", "application/json").end(answer.toString());
            });
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double ms(long nanosOrMs) {
        return nanosOrMs / 1_000_000.0;
    }

    private static void sleep(long seconds) {
        sleepMs(seconds * 1000);
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms); // the driver paces its own load; this is not a test
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
