package io.sightline.bench.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop push load against a running stack (./sightline up): {@code clients} threads each push the
 * same JPEG to their own push camera through the gateway, {@code requests} pushes in total after a
 * warm-up; prints frames/s (202s per second of wall time), p50/p99 latency and the status counts.
 * JDK only, so it compiles with plain javac.
 *
 * <p>Args: gatewayUrl adminKeyFile jpegFile clients requests [cameraPrefix]
 */
public final class PushLoadDriver {

    public static void main(String[] args) throws Exception {
        URI gateway = URI.create(args[0]);
        String key = Files.readString(Path.of(args[1])).trim();
        byte[] jpeg = Files.readAllBytes(Path.of(args[2]));
        int clients = Integer.parseInt(args[3]);
        int requests = Integer.parseInt(args[4]);
        String prefix = args.length > 5 ? args[5] : "bench-push-";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        for (int c = 0; c < clients; c++) {
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(gateway.resolve("/api/v1/cameras/" + prefix + c))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"source\":{\"type\":\"push\"}}")).build(), HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() / 100 != 2) {
                throw new IllegalStateException("cannot register camera: " + put.statusCode() + " " + put.body());
            }
        }
        run(http, gateway, key, jpeg, clients, Math.max(clients * 5, requests / 5), prefix, false);
        run(http, gateway, key, jpeg, clients, requests, prefix, true);
    }

    static void run(HttpClient http, URI gateway, String key, byte[] jpeg, int clients, int requests, String prefix,
                    boolean print) throws Exception {
        AtomicInteger left = new AtomicInteger(requests);
        long[] latencies = new long[requests];
        AtomicInteger index = new AtomicInteger();
        int[] statuses = new int[600];
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String camera = prefix + c;
            futures.add(pool.submit(() -> {
                HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/api/v1/frames/" + camera))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "image/jpeg")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build();
                while (left.decrementAndGet() >= 0) {
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        status = 599;
                    }
                    latencies[index.getAndIncrement()] = System.nanoTime() - t0;
                    synchronized (statuses) {
                        statuses[status]++;
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        if (!print) {
            return;
        }
        long[] sorted = Arrays.copyOf(latencies, index.get());
        Arrays.sort(sorted);
        StringBuilder codes = new StringBuilder();
        for (int s = 0; s < statuses.length; s++) {
            if (statuses[s] > 0) {
                codes.append(s).append('=').append(statuses[s]).append(' ');
            }
        }
        System.out.printf("push %d B, %d clients, %d requests: %.1f frames/s accepted, p50 %.1f ms, p99 %.1f ms, statuses %s%n",
                jpeg.length, clients, requests, statuses[202] / seconds, sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6, codes.toString().trim());
    }
}
