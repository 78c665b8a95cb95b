package io.sightline.common.download;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The downloader against a local HTTP server on 127.0.0.1 serving generated files. */
class ModelDownloaderTest {

    @TempDir
    static Path remote;

    private HttpServer server;
    private ExecutorService serverThreads;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** Per file name: how the server misbehaves ("corrupt", "stall", "ignore-range"). */
    private final Map<String, String> misbehaviour = new ConcurrentHashMap<>();
    private final CountDownLatch releaseStalled = new CountDownLatch(1);

    @TempDir
    static Path present;

    /** Stand-ins for model files: seeded random bytes (and a text file), sizes like the real ones. */
    static ModelFile YOLOX_NANO;
    static ModelFile COCO_LABELS;
    static ModelFile TEXT_DIRECTION;
    static ModelFile TEXT_DETECTOR;
    static List<ModelFile> ONNX_TIER;

    @BeforeAll
    static void writeFilesToTheRemote() throws IOException {
        YOLOX_NANO = fixture("yolox-nano/yolox_nano.onnx", random(1, 1_400_000));
        COCO_LABELS = fixture("yolox-nano/coco_classes.txt",
                "person\nbicycle\ncar\nmotorcycle\nairplane\nbus\ntrain\ntruck\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        TEXT_DIRECTION = fixture("paddleocr-v4/ch_ppocr_mobile_v2.0_cls_infer.onnx", random(2, 300_000));
        TEXT_DETECTOR = fixture("paddleocr-v4/ch_PP-OCRv4_det_infer.onnx", random(3, 500_000));
        ONNX_TIER = List.of(YOLOX_NANO, COCO_LABELS, TEXT_DIRECTION, TEXT_DETECTOR);
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** Writes the bytes to the remote (by file name) and to {@code present} (by relative path). */
    static ModelFile fixture(String relativePath, byte[] bytes) throws IOException {
        Path remoteCopy = Files.write(remote.resolve(Path.of(relativePath).getFileName()), bytes);
        Path presentCopy = present.resolve(relativePath);
        Files.createDirectories(presentCopy.getParent());
        Files.write(presentCopy, bytes);
        return new ModelFile(relativePath, URI.create("https://models.invalid/" + relativePath),
                ModelDownloader.sha256(remoteCopy), bytes.length);
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/models/", this::serve);
        server.createContext("/mirror/", this::serve);
        server.createContext("/cut/", this::serve);
        server.start();
    }

    @AfterEach
    void stopServer() {
        releaseStalled.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String name = Path.of(path).getFileName().toString();
        String range = exchange.getRequestHeaders().getFirst("Range");
        requests.add(name + (range == null ? "" : " " + range));
        Path file = remote.resolve(name);
        if (!Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        String mode = path.startsWith("/cut/") ? "cut" : misbehaviour.getOrDefault(name, "");
        if (mode.equals("corrupt")) {
            bytes[bytes.length / 2] ^= 0x5a;
        }
        int from = 0;
        if (range != null && !mode.equals("ignore-range")) {
            from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
            exchange.sendResponseHeaders(206, bytes.length - from);
        } else {
            exchange.sendResponseHeaders(200, bytes.length);
        }
        try (OutputStream out = exchange.getResponseBody()) {
            if (mode.equals("stall")) {
                out.write(bytes, from, 65_536);
                out.flush();
                releaseStalled.await(30, TimeUnit.SECONDS);
                return;
            }
            if (mode.equals("cut")) {
                // the connection drops after CUT_AFTER bytes of a response that announced them all
                out.write(bytes, from, CUT_AFTER);
                out.flush();
                closeConnection(exchange);
                return;
            }
            out.write(bytes, from, bytes.length - from);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final int CUT_AFTER = 200_000;

    /** Closes the TCP connection under an exchange mid-body (HttpServer has no API for it). */
    private static void closeConnection(HttpExchange exchange) throws IOException {
        try {
            exchange.getResponseBody().close();
        } catch (IOException expected) {
            // "insufficient bytes written": the server closes the connection, which is the point
        }
    }

    private String base(String context) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + context + "/";
    }

    private static URI refusingAddress() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort() + "/models/");
        }
    }

    @Test
    void firstMirrorDownSecondMirrorUsed(@TempDir Path models) throws IOException {
        ModelDownloader downloader = new ModelDownloader(ModelDownloader.defaultClient(), Duration.ofSeconds(10),
                ProgressListener.NONE, List.of(refusingAddress(), URI.create(base("mirror"))));

        assertThat(downloader.sources(YOLOX_NANO)).hasSize(3).last().isEqualTo(YOLOX_NANO.url());
        ModelFetchResult result = downloader.ensure(models, List.of(YOLOX_NANO)).get(0);

        assertThat(result.outcome()).isEqualTo(ModelFetchResult.DOWNLOADED);
        assertThat(requests).containsExactly("yolox_nano.onnx");
        assertThat(ModelDownloader.sha256(YOLOX_NANO.resolveIn(models))).isEqualTo(YOLOX_NANO.sha256());
    }

    @Test
    void connectionCutMidFileIsResumedFromTheNextMirrorWithARangeAndProgressIsReported(@TempDir Path models)
            throws IOException {
        List<long[]> progress = new CopyOnWriteArrayList<>();
        ModelDownloader downloader = new ModelDownloader(ModelDownloader.defaultClient(), Duration.ofSeconds(10),
                (file, done, total) -> progress.add(new long[] {done, total}),
                List.of(URI.create(base("cut")), URI.create(base("mirror"))));

        ModelFetchResult result = downloader.ensure(models, List.of(YOLOX_NANO)).get(0);

        assertThat(result.outcome()).isEqualTo(ModelFetchResult.RESUMED);
        assertThat(requests).containsExactly("yolox_nano.onnx", "yolox_nano.onnx bytes=" + CUT_AFTER + "-");
        assertThat(result.bytes()).isEqualTo(YOLOX_NANO.sizeBytes() - CUT_AFTER);
        assertThat(ModelDownloader.sha256(YOLOX_NANO.resolveIn(models))).isEqualTo(YOLOX_NANO.sha256());
        assertThat(progress).allSatisfy(p -> assertThat(p[1]).isEqualTo(YOLOX_NANO.sizeBytes()));
        assertThat(progress).anySatisfy(p -> assertThat(p[0]).isGreaterThan(0).isLessThanOrEqualTo(CUT_AFTER));
        assertThat(progress).anySatisfy(p -> assertThat(p[0]).isGreaterThan(CUT_AFTER).isLessThan(YOLOX_NANO.sizeBytes()));
        assertThat(progress.get(progress.size() - 1)[0]).isEqualTo(YOLOX_NANO.sizeBytes());
    }

    @Test
    void corruptMirrorIsRejectedAndDeletedThenTheOriginIsUsed(@TempDir Path models) throws IOException {
        misbehaviour.put("ch_ppocr_mobile_v2.0_cls_infer.onnx", "corrupt");
        ModelFile cls = TEXT_DIRECTION.withUrl(URI.create(base("mirror") + "ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        ModelDownloader downloader = new ModelDownloader(ModelDownloader.defaultClient(), Duration.ofSeconds(10),
                ProgressListener.NONE, List.of(URI.create(base("mirror"))));

        assertThatThrownBy(() -> downloader.ensure(models, List.of(cls)))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("every source failed (2 tried in order)")
                .hasMessageContaining("corrupt");
        Path target = cls.resolveIn(models);
        assertThat(target).doesNotExist();
        assertThat(target.resolveSibling(target.getFileName() + ".part")).doesNotExist();

        misbehaviour.remove("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        assertThat(downloader.ensure(models, List.of(cls)).get(0).outcome()).isEqualTo(ModelFetchResult.DOWNLOADED);
        assertThat(ModelDownloader.sha256(target)).isEqualTo(cls.sha256());
    }

    @Test
    void refusesToStartWhenTheFileCannotFitOnTheDisk(@TempDir Path models) {
        long free = models.toFile().getUsableSpace();
        ModelFile huge = new ModelFile("huge/model.gguf", URI.create(base("models") + "yolox_nano.onnx"),
                YOLOX_NANO.sha256(), free + (1L << 40));

        assertThatThrownBy(() -> downloader(Duration.ofSeconds(10), ProgressListener.NONE).ensure(models, List.of(huge)))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("huge/model.gguf")
                .hasMessageContaining("not enough disk space");
        assertThat(requests).isEmpty();
        assertThat(models.resolve("huge/model.gguf.part")).doesNotExist();
    }

    private List<ModelFile> local(List<ModelFile> files) {
        List<ModelFile> out = new ArrayList<>();
        for (ModelFile f : files) {
            String name = Path.of(f.relativePath()).getFileName().toString();
            out.add(f.withUrl(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/" + name)));
        }
        return out;
    }

    private ModelFile local(ModelFile file) {
        return local(List.of(file)).get(0);
    }

    private static ModelDownloader downloader(Duration stall, ProgressListener listener) {
        return new ModelDownloader(ModelDownloader.defaultClient(), stall, listener);
    }

    @Test
    void downloadsEveryMissingFileAndVerifiesIt(@TempDir Path models) throws IOException {
        Map<String, long[]> lastProgress = new ConcurrentHashMap<>();
        ModelDownloader downloader = downloader(Duration.ofSeconds(10),
                (file, done, total) -> lastProgress.put(file.relativePath(), new long[] {done, total}));

        List<ModelFetchResult> results = downloader.ensure(models, local(ONNX_TIER));

        assertThat(results).extracting(ModelFetchResult::outcome).containsOnly(ModelFetchResult.DOWNLOADED);
        for (ModelFetchResult r : results) {
            Path got = r.file().resolveIn(models);
            assertThat(ModelDownloader.sha256(got)).isEqualTo(r.file().sha256());
            assertThat(r.bytes()).isEqualTo(r.file().sizeBytes());
            assertThat(lastProgress.get(r.file().relativePath())).containsExactly(r.file().sizeBytes(), r.file().sizeBytes());
            assertThat(got.resolveSibling(got.getFileName() + ".part")).doesNotExist();
        }
    }

    @Test
    void anUnpinnedFileIsTakenAsDownloadedAndNotFetchedAgainOnceInPlace(@TempDir Path models) throws IOException {
        ModelFile pinned = local(YOLOX_NANO);
        ModelFile unpinned = new ModelFile(pinned.relativePath(), pinned.url(), null, 0);
        assertThat(unpinned.pinned()).isFalse();

        ModelFetchResult first = downloader(Duration.ofSeconds(10), ProgressListener.NONE).ensure(models, List.of(unpinned)).get(0);
        assertThat(first.outcome()).isEqualTo(ModelFetchResult.DOWNLOADED);
        assertThat(Files.readAllBytes(unpinned.resolveIn(models))).isEqualTo(Files.readAllBytes(remote.resolve("yolox_nano.onnx")));

        ModelFetchResult again = downloader(Duration.ofSeconds(10), ProgressListener.NONE).ensure(models, List.of(unpinned)).get(0);
        assertThat(again.outcome()).isEqualTo(ModelFetchResult.PRESENT);
        assertThat(requests).hasSize(1);
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest(@TempDir Path models) throws IOException {
        ModelFile yolox = local(YOLOX_NANO);
        Path target = yolox.resolveIn(models);
        Files.createDirectories(target.getParent());
        byte[] whole = Files.readAllBytes(remote.resolve("yolox_nano.onnx"));
        Files.write(target.resolveSibling("yolox_nano.onnx.part"), Arrays.copyOf(whole, 1_000_000));

        ModelFetchResult result = downloader(Duration.ofSeconds(10), ProgressListener.NONE)
                .ensure(models, List.of(yolox)).get(0);

        assertThat(result.outcome()).isEqualTo(ModelFetchResult.RESUMED);
        assertThat(result.bytes()).isEqualTo(whole.length - 1_000_000L);
        assertThat(requests).containsExactly("yolox_nano.onnx bytes=1000000-");
        assertThat(Files.readAllBytes(target)).isEqualTo(whole);
    }

    @Test
    void startsOverWhenTheServerIgnoresTheRange(@TempDir Path models) throws IOException {
        misbehaviour.put("coco_classes.txt", "ignore-range");
        ModelFile labels = local(COCO_LABELS);
        Files.createDirectories(labels.resolveIn(models).getParent());
        Files.writeString(labels.resolveIn(models).resolveSibling("coco_classes.txt.part"), "person\nbic");

        ModelFetchResult result = downloader(Duration.ofSeconds(10), ProgressListener.NONE)
                .ensure(models, List.of(labels)).get(0);

        assertThat(result.outcome()).isEqualTo(ModelFetchResult.DOWNLOADED);
        assertThat(ModelDownloader.sha256(labels.resolveIn(models))).isEqualTo(labels.sha256());
    }

    @Test
    void rejectsCorruptContentNamingTheFileAndBothDigests(@TempDir Path models) throws IOException {
        misbehaviour.put("ch_ppocr_mobile_v2.0_cls_infer.onnx", "corrupt");
        ModelFile cls = local(TEXT_DIRECTION);
        byte[] corrupt = Files.readAllBytes(remote.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        corrupt[corrupt.length / 2] ^= 0x5a;
        Path corruptCopy = Files.write(models.resolve("corrupt-copy"), corrupt);
        String corruptDigest = ModelDownloader.sha256(corruptCopy);

        assertThatThrownBy(() -> downloader(Duration.ofSeconds(10), ProgressListener.NONE).ensure(models, List.of(cls)))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("paddleocr-v4/ch_ppocr_mobile_v2.0_cls_infer.onnx")
                .hasMessageContaining("corrupt")
                .hasMessageContaining(cls.sha256())
                .hasMessageContaining(corruptDigest);
        Path target = cls.resolveIn(models);
        assertThat(target).doesNotExist();
        assertThat(target.resolveSibling(target.getFileName() + ".part")).doesNotExist();
    }

    @Test
    void stalledDownloadFailsClearlyAndIsResumedLater(@TempDir Path models) {
        misbehaviour.put("ch_PP-OCRv4_det_infer.onnx", "stall");
        ModelFile det = local(TEXT_DETECTOR);
        Path part = det.resolveIn(models).resolveSibling("ch_PP-OCRv4_det_infer.onnx.part");

        assertThatThrownBy(() -> downloader(Duration.ofMillis(400), ProgressListener.NONE).ensure(models, List.of(det)))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("paddleocr-v4/ch_PP-OCRv4_det_infer.onnx")
                .hasMessageContaining("stalled")
                .hasMessageContaining("400 ms");
        assertThat(part).hasSize(65_536);

        misbehaviour.remove("ch_PP-OCRv4_det_infer.onnx");
        ModelFetchResult result = downloader(Duration.ofSeconds(10), ProgressListener.NONE)
                .ensure(models, List.of(det)).get(0);

        assertThat(result.outcome()).isEqualTo(ModelFetchResult.RESUMED);
        assertThat(requests).last().isEqualTo("ch_PP-OCRv4_det_infer.onnx bytes=65536-");
        assertThat(part).doesNotExist();
    }

    @Test
    void presentFilesAreNotDownloadedAgain() {
        List<ModelFetchResult> results = downloader(Duration.ofSeconds(10), ProgressListener.NONE)
                .ensure(present, local(ONNX_TIER));

        assertThat(results).extracting(ModelFetchResult::outcome).containsOnly(ModelFetchResult.PRESENT);
        assertThat(results).extracting(ModelFetchResult::bytes).containsOnly(0L);
        assertThat(requests).isEmpty();
    }

    @Test
    void fileWithTheWrongDigestIsReplaced(@TempDir Path models) throws IOException {
        ModelFile labels = local(COCO_LABELS);
        Files.createDirectories(labels.resolveIn(models).getParent());
        Files.writeString(labels.resolveIn(models), "not the labels\n");

        ModelFetchResult result = downloader(Duration.ofSeconds(10), ProgressListener.NONE)
                .ensure(models, List.of(labels)).get(0);

        assertThat(result.outcome()).isEqualTo(ModelFetchResult.DOWNLOADED);
        assertThat(ModelDownloader.sha256(labels.resolveIn(models))).isEqualTo(labels.sha256());
    }

    @Test
    void concurrentCallersShareOneDownload(@TempDir Path models) throws Exception {
        ModelFile yolox = local(YOLOX_NANO);
        ModelDownloader downloader = downloader(Duration.ofSeconds(10), ProgressListener.NONE);
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<ModelFetchResult>> results = callers.invokeAll(java.util.Collections.nCopies(3,
                    () -> downloader.ensure(models, List.of(yolox)).get(0)));
            List<String> outcomes = new ArrayList<>();
            for (var r : results) {
                outcomes.add(r.get().outcome());
            }
            assertThat(outcomes).containsExactlyInAnyOrder(ModelFetchResult.DOWNLOADED, ModelFetchResult.PRESENT,
                    ModelFetchResult.PRESENT);
        } finally {
            callers.shutdownNow();
        }
        assertThat(requests).containsExactly("yolox_nano.onnx");
        assertThat(ModelDownloader.sha256(yolox.resolveIn(models))).isEqualTo(yolox.sha256());
        assertThat(Files.list(yolox.resolveIn(models).getParent())).containsExactly(yolox.resolveIn(models));
    }

    @Test
    void missingUpstreamFileIsReportedWithItsStatus(@TempDir Path models) {
        ModelFile gone = COCO_LABELS.withUrl(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/no-such-file.txt"));

        assertThatThrownBy(() -> downloader(Duration.ofSeconds(10), ProgressListener.NONE).ensure(models, List.of(gone)))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("yolox-nano/coco_classes.txt")
                .hasMessageContaining("HTTP 404");
    }
}
