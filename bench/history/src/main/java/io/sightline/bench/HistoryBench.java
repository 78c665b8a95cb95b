package io.sightline.bench;

import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * history-service under load: the packaged service (separate JVM) reads N captions (D distinct
 * sentences, C cameras, one detections record per 10 captions) from the in-JVM broker into an embedded
 * PostgreSQL; measured: ingest rate (first send to last row), then p50/p95 of search, timeline and a
 * caption page of 50, and the database size scaled to one million captions.
 * System properties: bench.captions (1000000), bench.distinct (20000), bench.cameras (10), bench.requests (200),
 * bench.data-dir (unset: a throw-away database; set: the database is kept there, and a later run on a directory
 * that already holds at least bench.captions captions skips the ingest and measures the queries only),
 * bench.baseline (true: also measure search without the vector cache), bench.service-jar (another build's
 * quarkus-run.jar, e.g. the commit before a change, for a before/after on the same database).
 */
public final class HistoryBench {

    private static final String[] SUBJECTS = {"A person", "A man", "A woman", "Two children", "A white van", "A red car",
            "A delivery truck", "A cat", "A dog", "A cyclist", "An elderly couple", "A courier"};
    private static final String[] ACTIONS = {"is standing at", "walks towards", "is parked in front of", "passes",
            "is sitting near", "leaves a parcel at", "is looking at", "waits by"};
    private static final String[] PLACES = {"the front door", "the garage", "the driveway", "the garden gate", "the sofa",
            "the kitchen window", "the mailbox", "the street", "the porch", "the bicycle rack"};

    /** The service refuses every route but health without its internal token. */
    private static final String TOKEN = "bench-" + UUID.randomUUID();

    private HistoryBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run();
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1); // the in-JVM broker's threads would keep the JVM alive
        }
    }

    private static void run() throws Exception {
        int captions = Integer.getInteger("bench.captions", 1_000_000);
        int distinct = Integer.getInteger("bench.distinct", 20_000);
        int cameras = Integer.getInteger("bench.cameras", 10);
        int requests = Integer.getInteger("bench.requests", 200);
        Path root = Path.of(System.getProperty("sightline.project.root", "../..")).toAbsolutePath().normalize();
        String dataDir = System.getProperty("bench.data-dir");
        boolean baseline = Boolean.parseBoolean(System.getProperty("bench.baseline", "true"));
        List<String> texts = sentences(distinct);

        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(freePort())
                .setServerConfig("listen_addresses", "127.0.0.1");
        if (dataDir != null) {
            Files.createDirectories(Path.of(dataDir));
            builder.setDataDirectory(Path.of(dataDir)).setCleanDataDirectory(false);
        }
        try (EmbeddedPostgres pg = builder.start()) {
            int httpPort = freePort();
            Files.createDirectories(Path.of("target"));
            Process service = startService(root, pg, httpPort, "target/history-service.log", null);
            try {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + httpPort;
                awaitReady(http, base);

                long stored = storedCaptions(pg);
                boolean ingest = stored < captions;
                Random random = new Random(42);
                long start = System.nanoTime();
                KafkaProducer<String, byte[]> producer = TestKafka.producer();
                long t0 = System.currentTimeMillis() - Duration.ofDays(7).toMillis();
                for (int i = 0; ingest && i < captions; i++) {
                    String camera = "cam-" + (i % cameras);
                    long at = t0 + (long) i * Duration.ofDays(7).toMillis() / captions;
                    String text = texts.get(random.nextInt(texts.size()));
                    String json = "{\"schema\":1,\"frame_id\":\"" + UUID.randomUUID() + "\",\"camera\":\"" + camera
                            + "\",\"captured_at\":" + at + ",\"captioned_at\":" + (at + 200) + ",\"backend\":\"onnx\",\"model\":\"bench\",\"text\":\""
                            + text + "\",\"latency_ms\":200,\"fallbacks\":[]}";
                    producer.send(new ProducerRecord<>("captions", camera, json.getBytes(StandardCharsets.UTF_8)));
                    if (i % 10 == 0) {
                        String det = "{\"schema\":1,\"frame_id\":\"" + UUID.randomUUID() + "\",\"camera\":\"" + camera
                                + "\",\"captured_at\":" + at + ",\"width\":1280,\"height\":720,\"model\":\"bench\",\"detections\":[{\"label\":\""
                                + (random.nextBoolean() ? "person" : "car") + "\",\"score\":0.9,\"box\":{\"x\":1,\"y\":1,\"width\":9,\"height\":9}}],\"texts\":[]}";
                        producer.send(new ProducerRecord<>("detections", camera, det.getBytes(StandardCharsets.UTF_8)));
                    }
                }
                producer.flush();
                try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                    while (true) {
                        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM captions")) {
                            rs.next();
                            if (rs.getLong(1) >= captions) {
                                break;
                            }
                        } catch (Exception tableNotYet) {
                            // migrations still running
                        }
                        Thread.sleep(500); // a bench polls; tests use Awaitility
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                long dbBytes;
                try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                    rs.next();
                    dbBytes = rs.getLong(1);
                }
                StringBuilder out = new StringBuilder();
                out.append(String.format(Locale.ROOT, "| captions | distinct texts | ingest (captions/s) | DB size | DB size per 1M captions |%n|---|---|---|---|---|%n"));
                out.append(String.format(Locale.ROOT, "| %d | %d | %s | %.0f MB | %.0f MB |%n%n", captions, distinct,
                        ingest ? String.format(Locale.ROOT, "%.0f", captions / seconds) : "(kept database: " + stored + " stored, not measured)",
                        dbBytes / 1e6, dbBytes / 1e6 * 1_000_000 / captions));
                System.out.print(out);
                int printed = out.length();
                out.append("| request | p50 (ms) | p95 (ms) |\n|---|---|---|\n");
                String[] queries = {"delivery", "someone at the door", "a cat on the sofa", "van parked", "person walking"};
                out.append(latency(http, requests, "search (one camera)", i -> base + "/api/v1/history/search?camera=cam-" + (i % cameras)
                        + "&q=" + URLEncoder.encode(queries[i % queries.length], StandardCharsets.UTF_8)));
                out.append(latency(http, requests, "search (all cameras)", i -> base + "/api/v1/history/search?q="
                        + URLEncoder.encode(queries[i % queries.length], StandardCharsets.UTF_8)));
                // every request a question not asked before (no cached query embedding can help)
                out.append(latency(http, requests, "search (one camera, every query new)", i -> base + "/api/v1/history/search?camera=cam-"
                        + (i % cameras) + "&q=" + URLEncoder.encode(newQuery(i), StandardCharsets.UTF_8)));
                out.append(latency(http, requests, "events page of 50", i -> base + "/api/v1/history/events?camera=cam-" + (i % cameras) + "&limit=50"));
                out.append(latency(http, requests, "captions page of 50", i -> base + "/api/v1/history/captions?camera=cam-" + (i % cameras) + "&limit=50"));
                out.append(searchStages(http, base));
                service.destroy();
                service.waitFor();
                if (baseline) {
                    // the baseline, same database, same run: the service with no vector cache (every search reads every
                    // candidate's real[] embedding from the database, as before the cache)
                    service = startService(root, pg, httpPort, "target/history-service-nocache.log", "0");
                    awaitReady(http, base);
                    out.append("\nBaseline, same run and database, `search.vector-cache-size=0`:\n\n| request | p50 (ms) | p95 (ms) |\n|---|---|---|\n");
                    out.append(latency(http, requests, "search (one camera)", i -> base + "/api/v1/history/search?camera=cam-" + (i % cameras)
                            + "&q=" + URLEncoder.encode(queries[i % queries.length], StandardCharsets.UTF_8)));
                    out.append(latency(http, requests, "search (all cameras)", i -> base + "/api/v1/history/search?q="
                            + URLEncoder.encode(queries[i % queries.length], StandardCharsets.UTF_8)));
                }
                System.out.print(out.substring(printed));
                Files.writeString(Path.of("target/results.md"), out.toString());
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
        System.exit(0);
    }

    private static long storedCaptions(EmbeddedPostgres pg) {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM captions")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception noTableYet) {
            return 0;
        }
    }

    private static Process startService(Path root, EmbeddedPostgres pg, int httpPort, String log, String vectorCache) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx512m", "-jar",
                System.getProperty("bench.service-jar", root.resolve("history-service/target/quarkus-app/quarkus-run.jar").toString()))
                .redirectErrorStream(true).redirectOutput(new File(log));
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", TestBroker.bootstrapServers());
        pb.environment().put("SIGHTLINE_HISTORY_DB_URL", "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres");
        pb.environment().put("SIGHTLINE_HISTORY_DB_USER", "postgres");
        pb.environment().put("SIGHTLINE_INTERNAL_TOKEN", TOKEN);
        if (vectorCache != null) {
            pb.environment().put("SIGHTLINE_HISTORY_SEARCH_VECTOR_CACHE_SIZE", vectorCache);
        }
        return pb.start();
    }

    private static String latency(HttpClient http, int n, String name, IntFunction<String> url) throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < n + 20; i++) {
            long s = System.nanoTime();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url.apply(i))).header("Authorization", "Bearer " + TOKEN)
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(name + ": " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
            }
            if (i >= 20) { // warm-up
                micros.add((System.nanoTime() - s) / 1000);
            }
        }
        micros.sort(null);
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", name, micros.get(micros.size() / 2) / 1000.0,
                micros.get((int) Math.ceil(micros.size() * 0.95) - 1) / 1000.0);
    }

    /** Mean time per search stage over every search of this service run, from its own timers (/q/metrics). */
    private static String searchStages(HttpClient http, String base) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        java.util.Map<String, double[]> stages = new java.util.TreeMap<>();
        for (String line : metrics.split("\n")) {
            if (Boolean.getBoolean("bench.debug") && line.contains("search_stage")) {
                System.out.println(line);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("^sightline_history_search_stage_seconds_(count|sum)\\{.*stage=\"([a-z]+)\".*\\} ([0-9.Ee+-]+)( #.*)?$").matcher(line);
            if (m.matches()) {
                double[] v = stages.computeIfAbsent(m.group(2), k -> new double[2]);
                v[m.group(1).equals("count") ? 0 : 1] = Double.parseDouble(m.group(3));
            }
        }
        StringBuilder out = new StringBuilder("\nSearch stages, mean over every search above (the service's `sightline_history_search_stage` timers):\n\n"
                + "| stage | searches | mean (ms) |\n|---|---|---|\n");
        stages.forEach((stage, v) -> out.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f |%n", stage, v[0], v[0] == 0 ? 0 : v[1] / v[0] * 1000)));
        return out.append("\n").toString();
    }

    /** The i-th of 960 distinct questions, phrased unlike the stored captions. */
    private static String newQuery(int i) {
        return "when did " + SUBJECTS[i % SUBJECTS.length].toLowerCase(Locale.ROOT) + " "
                + ACTIONS[(i / SUBJECTS.length) % ACTIONS.length].replace("is ", "") + " "
                + PLACES[(i / (SUBJECTS.length * ACTIONS.length)) % PLACES.length];
    }

    private static List<String> sentences(int n) {
        List<String> out = new ArrayList<>();
        int k = 0;
        while (out.size() < n) {
            String s = SUBJECTS[k % SUBJECTS.length] + " " + ACTIONS[(k / SUBJECTS.length) % ACTIONS.length] + " "
                    + PLACES[(k / (SUBJECTS.length * ACTIONS.length)) % PLACES.length];
            int round = k / (SUBJECTS.length * ACTIONS.length * PLACES.length);
            out.add(round == 0 ? s + "." : s + " (scene " + round + ").");
            k++;
        }
        return out;
    }

    private static void awaitReady(HttpClient http, String base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (Exception notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("history-service not ready within 3 minutes; see target/history-service.log");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
