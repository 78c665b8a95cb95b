import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load driver for vlm-service against the real llama-server it hosts (the tiny random-weight model),
 * with the same llama-server called directly as the baseline in the same run. JDK only:
 * {@code java VlmServiceBench.java <vlm-service /v1> <llama-server /v1> <internal token> <model>}.
 * Prints markdown tables (see README.md for how run.sh starts everything).
 */
public class VlmServiceBench {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(8)).build();
    static String service;
    static String direct;
    static String token;
    static String model;

    public static void main(String[] args) throws Exception {
        service = args[0];
        direct = args[1];
        token = args[2];
        model = args[3];
        int maxTokens = 4;

        // 0. cold start to first token: the model is stopped (nothing loads at boot)
        long t0 = System.nanoTime();
        long firstToken = streamFirstToken(service, "interactive", maxTokens);
        System.out.printf(Locale.ROOT, "## cold start%n%nfirst request to the stopped model, to the first SSE token: %.0f ms (whole stream %.0f ms)%n%n",
                firstToken / 1e6, (System.nanoTime() - t0) / 1e6);

        // warm both paths (JIT, connections)
        run(direct, null, 1, 100, maxTokens);
        run(service, "interactive", 1, 100, maxTokens);
        run(direct, null, 32, 320, maxTokens);
        run(service, "interactive", 32, 320, maxTokens);

        System.out.println("## dispatch overhead (same llama-server, direct vs through vlm-service; interactive, max_tokens " + maxTokens + ")");
        System.out.println();
        System.out.println("| concurrency | path | requests | req/s | p50 ms | p99 ms |");
        System.out.println("|--:|--|--:|--:|--:|--:|");
        for (int c : new int[] {1, 32}) {
            int n = c == 1 ? 400 : 1600;
            for (int round = 0; round < 2; round++) {
                Stats d = run(direct, null, c, n, maxTokens);
                Stats s = run(service, "interactive", c, n, maxTokens);
                System.out.println(d.row(c, "direct"));
                System.out.println(s.row(c, "vlm-service"));
                System.out.printf(Locale.ROOT, "|  | **overhead (round %d)** |  |  | **%+.2f** | **%+.2f** |%n", round + 1, s.p(50) - d.p(50), s.p(99) - d.p(99));
            }
        }
        System.out.println();

        // the same comparison at 32 concurrent with longer answers: the per-request hand-off cost is fixed, so its
        // share shrinks as the service time grows toward a real VLM's
        int longTokens = 48;
        run(direct, null, 32, 64, longTokens);
        run(service, "interactive", 32, 64, longTokens);
        System.out.println("## dispatch overhead with longer answers (max_tokens " + longTokens + ", concurrency 32)");
        System.out.println();
        System.out.println("| concurrency | path | requests | req/s | p50 ms | p99 ms |");
        System.out.println("|--:|--|--:|--:|--:|--:|");
        for (int round = 0; round < 2; round++) {
            Stats d = run(direct, null, 32, 320, longTokens);
            Stats s = run(service, "interactive", 32, 320, longTokens);
            System.out.println(d.row(32, "direct"));
            System.out.println(s.row(32, "vlm-service"));
            System.out.printf(Locale.ROOT, "|  | **overhead (round %d)** |  |  | **%+.2f** (%+.1f %%) | **%+.2f** |%n", round + 1,
                    s.p(50) - d.p(50), 100 * (s.p(50) - d.p(50)) / d.p(50), s.p(99) - d.p(99));
        }
        System.out.println();

        System.out.println("## mixed load (24 batch callers looping, 4 watch callers each pausing 250 ms between calls, one interactive probe every 150 ms, 20 s)");
        System.out.println();
        System.out.println("| path | class | requests | req/s | latency p50 ms | p99 ms | max ms |");
        System.out.println("|--|--|--:|--:|--:|--:|--:|");
        mixed(direct, maxTokens, true);
        String before = queue();
        mixed(service, maxTokens, false);
        System.out.println();
        System.out.println("vlm-service /api/v1/queue before the mixed run through it:");
        System.out.println();
        System.out.println("```");
        System.out.println(before);
        System.out.println("```");
        System.out.println();
        System.out.println("vlm-service /api/v1/queue after the run:");
        System.out.println();
        System.out.println("```");
        System.out.println(queue());
        System.out.println("```");
        System.exit(0); // the HTTP client's threads are not daemons
    }

    record Stats(List<Long> nanos, long wallNanos) {
        double p(int pct) {
            if (nanos.isEmpty()) {
                return Double.NaN;
            }
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            int i = (int) Math.ceil(pct / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
        }

        double max() {
            return nanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6;
        }

        double rate() {
            return nanos.size() / (wallNanos / 1e9);
        }

        String row(int c, String path) {
            return String.format(Locale.ROOT, "| %d | %s | %d | %.0f | %.2f | %.2f |", c, path, nanos.size(), rate(), p(50), p(99));
        }
    }

    static HttpRequest request(String base, String priority, int maxTokens, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"temperature\":0,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Describe the scene.\"}]}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (priority != null) {
            b.header("Authorization", "Bearer " + token).header("X-Sightline-Priority-Class", priority);
        }
        return b.build();
    }

    static long call(String base, String priority, int maxTokens) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = HTTP.send(request(base, priority, maxTokens, false), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(base + " answered " + r.statusCode() + ": " + r.body());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return System.nanoTime() - start;
    }

    static long streamFirstToken(String base, String priority, int maxTokens) throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> r = HTTP.send(request(base, priority, maxTokens, true), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("cold start answered " + r.statusCode());
        }
        try (InputStream in = r.body()) {
            StringBuilder line = new StringBuilder();
            int ch;
            long first = -1;
            while ((ch = in.read()) >= 0) {
                if (ch == '\n') {
                    if (first < 0 && line.toString().contains("\"content\"")) {
                        first = System.nanoTime() - start;
                    }
                    line.setLength(0);
                } else {
                    line.append((char) ch);
                }
            }
            return first;
        }
    }

    static Stats run(String base, String priority, int concurrency, int total, int maxTokens) throws Exception {
        ConcurrentLinkedQueue<Long> out = new ConcurrentLinkedQueue<>();
        AtomicInteger left = new AtomicInteger(total);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            pool.execute(() -> {
                try {
                    while (left.getAndDecrement() > 0) {
                        out.add(call(base, priority, maxTokens));
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        long wall = System.nanoTime() - start;
        pool.shutdown();
        return new Stats(new ArrayList<>(out), wall);
    }

    static void mixed(String base, int maxTokens, boolean isDirect) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Long> batch = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> watch = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> interactive = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(29);
        CountDownLatch done = new CountDownLatch(28);
        for (int i = 0; i < 28; i++) {
            boolean isBatch = i < 24;
            pool.execute(() -> {
                try {
                    while (!stop.get()) {
                        long n = call(base, isDirect ? null : isBatch ? "batch" : "watch", maxTokens);
                        (isBatch ? batch : watch).add(n);
                        if (!isBatch) {
                            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(20).toNanos();
        long next = start + Duration.ofSeconds(1).toNanos(); // let the flood fill the queue first
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (now >= next) {
                interactive.add(call(base, isDirect ? null : "interactive", maxTokens));
                next += Duration.ofMillis(150).toNanos();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(next - now);
            }
        }
        stop.set(true);
        done.await();
        long wall = System.nanoTime() - start;
        pool.shutdown();
        String path = isDirect ? "direct (FIFO)" : "vlm-service";
        for (var e : List.of(List.of("interactive", interactive), List.of("watch", watch), List.of("batch", batch))) {
            @SuppressWarnings("unchecked")
            Stats s = new Stats(new ArrayList<>((ConcurrentLinkedQueue<Long>) e.get(1)), wall);
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %.2f | %.2f | %.2f |%n", path, e.get(0), s.nanos().size(), s.rate(),
                    s.p(50), s.p(99), s.max());
        }
    }

    /** This model's entry of vlm-service's GET /api/v1/queue. */
    static String queue() throws Exception {
        String all = get(service.replaceAll("/v1$", "") + "/api/v1/queue");
        int i = all.indexOf("{\"model\":\"" + model + "\"");
        return i < 0 ? all : all.substring(i, all.indexOf("}}}", i) + 3);
    }

    static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
