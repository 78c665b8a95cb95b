package io.sightline.common.download;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes sure model files are in the models directory with the right sha256. A missing file is
 * fetched into {@code <name>.part} and moved into place only once its digest matches; an interrupted
 * or stalled download leaves the {@code .part} behind and the next call continues it with an HTTP
 * {@code Range} request. A download whose digest does not match is deleted and reported with both
 * digests. Files already present with the right digest are not touched (a read-only directory works).
 *
 * <p>Sources: each mirror base URL in the order given, then the file's own {@link ModelFile#url()}
 * (the origin). A mirror holds the models directory's layout: file {@code a/b.gguf} is fetched from
 * {@code <mirror>/a/b.gguf}. A source that refuses the connection, answers an error status, stalls or
 * serves bytes that do not verify is passed over for the next one; the {@code .part} a failed source
 * left behind is continued from the next one with a {@code Range} request (a corrupt one is deleted
 * first). Before fetching, the bytes still missing ({@link ModelFile#sizeBytes()} minus the part on
 * disk) must fit in the free space of the models directory's file store, else nothing is fetched.
 *
 * <p>A file without a pinned digest ({@link ModelFile#pinned()} false) is trusted on first use: it is
 * moved into place as received and, once in place, not checked here; the caller records its digest and
 * passes it as pinned from then on (vlm-service's pin file).
 */
public final class ModelDownloader {

    private static final System.Logger LOG = System.getLogger(ModelDownloader.class.getName());
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final ConcurrentHashMap<Path, Object> DOWNLOADS = new ConcurrentHashMap<>();

    private final HttpClient client;
    private final Duration stallTimeout;
    private final ProgressListener listener;
    private final List<URI> mirrors;

    /**
     * @param client       HTTP client to use; it should follow redirects (see {@link #defaultClient()})
     * @param stallTimeout a download that receives no byte (nor response headers) for this long fails
     * @param listener     told about progress; {@link ProgressListener#NONE} to ignore it
     */
    public ModelDownloader(HttpClient client, Duration stallTimeout, ProgressListener listener) {
        this(client, stallTimeout, listener, List.of());
    }

    /**
     * @param mirrors base URLs tried in this order before each file's own URL; each must be http(s)
     */
    public ModelDownloader(HttpClient client, Duration stallTimeout, ProgressListener listener, List<URI> mirrors) {
        List<URI> bases = new ArrayList<>();
        for (URI m : Objects.requireNonNull(mirrors, "mirrors")) {
            if (m == null || m.getScheme() == null
                    || !(m.getScheme().equalsIgnoreCase("http") || m.getScheme().equalsIgnoreCase("https"))) {
                throw new IllegalArgumentException("mirror must be an http(s) URL, was " + m);
            }
            String text = m.toString();
            bases.add(URI.create(text.endsWith("/") ? text : text + "/"));
        }
        this.mirrors = List.copyOf(bases);
        this.client = Objects.requireNonNull(client, "client");
        this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stallTimeout must be positive, was " + stallTimeout);
        }
        this.listener = listener == null ? ProgressListener.NONE : listener;
    }

    /** An HTTP client suited to model downloads: follows redirects (CDNs use them), 10 s connect timeout. */
    public static HttpClient defaultClient() {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /**
     * Ensures each file exists under {@code modelsDir} with its sha256, downloading what is missing or
     * wrong, one file after another.
     *
     * @return what was done per file, in the order given
     * @throws ModelDownloadException for the first file that could not be made available (naming it)
     */
    public List<ModelFetchResult> ensure(Path modelsDir, List<ModelFile> files) {
        Objects.requireNonNull(modelsDir, "modelsDir");
        List<ModelFetchResult> results = new ArrayList<>(files.size());
        for (ModelFile file : files) {
            results.add(ensure(modelsDir, file));
        }
        return results;
    }

    private ModelFetchResult ensure(Path modelsDir, ModelFile file) {
        long started = System.nanoTime();
        Path dir = modelsDir.toAbsolutePath().normalize();
        Path target = file.resolveIn(dir);
        if (!target.startsWith(dir)) {
            throw new ModelDownloadException(file, "path leaves the models directory " + dir);
        }
        try {
            if (isPresent(target, file)) {
                return new ModelFetchResult(file, ModelFetchResult.PRESENT, 0, millisSince(started));
            }
            Files.createDirectories(target.getParent());
            // one download per file: other threads of this JVM wait on the lock object, other processes
            // sharing the directory (replicas on one volume) on a file lock
            Object jvmLock = DOWNLOADS.computeIfAbsent(target, t -> new Object());
            synchronized (jvmLock) {
                Path lockFile = target.resolveSibling(target.getFileName() + ".download-lock");
                try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = lockChannel.lock()) {
                    ModelFetchResult result = isPresent(target, file)
                            ? new ModelFetchResult(file, ModelFetchResult.PRESENT, 0, millisSince(started))
                            : download(file, target, started);
                    // the file is in place, so whoever takes the lock next finds it: the lock file can go
                    Files.deleteIfExists(lockFile);
                    return result;
                }
            }
        } catch (IOException e) {
            throw new ModelDownloadException(file, "cannot write under " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isPresent(Path target, ModelFile file) throws IOException {
        if (!Files.isRegularFile(target)) {
            return false;
        }
        if (!file.pinned()) {
            return true; // trust on first use: whatever is in place is what the caller pinned (or will pin)
        }
        String actual = sha256(target);
        if (actual.equals(file.sha256())) {
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "{0} has sha256 {1}, expected {2}: downloading it again",
                target, actual, file.sha256());
        return false;
    }

    /** The addresses a file is fetched from, in order: each mirror, then the origin. */
    public List<URI> sources(ModelFile file) {
        List<URI> out = new ArrayList<>(mirrors.size() + 1);
        for (URI base : mirrors) {
            out.add(base.resolve(file.relativePath()));
        }
        out.add(file.url());
        return out;
    }

    private ModelFetchResult download(ModelFile file, Path target, long started) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        checkFreeSpace(file, part);
        List<URI> sources = sources(file);
        List<String> failures = new ArrayList<>();
        ModelDownloadException last = null;
        for (URI source : sources) {
            try {
                return download(file, source, target, part, started);
            } catch (ModelDownloadException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                last = e;
                failures.add(e.reason());
                if (sources.size() > 1) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: {1}", file.relativePath(), e.reason());
                }
            }
        }
        if (sources.size() == 1) {
            throw last;
        }
        throw new ModelDownloadException(file, "every source failed (" + sources.size() + " tried in order): "
                + String.join("; ", failures), last);
    }

    private static void checkFreeSpace(ModelFile file, Path part) throws IOException {
        if (file.sizeBytes() <= 0) {
            return;
        }
        long have = Files.isRegularFile(part) ? Math.min(Files.size(part), file.sizeBytes()) : 0;
        long need = file.sizeBytes() - have;
        long free = Files.getFileStore(part.getParent()).getUsableSpace();
        if (need > free) {
            throw new ModelDownloadException(file, "not enough disk space: " + need + " more bytes needed but only "
                    + free + " free under " + part.getParent() + "; nothing was downloaded");
        }
    }

    private ModelFetchResult download(ModelFile file, URI source, Path target, Path part, long started) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (file.sizeBytes() > 0 && have > file.sizeBytes()) {
            Files.delete(part); // longer than the file can be: not a prefix of it
            have = 0;
        }
        Transfer transfer = have > 0 && have == file.sizeBytes()
                ? new Transfer(0, true)
                : fetch(file, source, part, have);
        if (!file.pinned()) {
            // trust on first use: nothing to compare with; the caller records the digest of what arrived
            moveIntoPlace(part, target);
            return new ModelFetchResult(file, transfer.resumed() ? ModelFetchResult.RESUMED : ModelFetchResult.DOWNLOADED,
                    transfer.bytes(), millisSince(started));
        }
        String actual = sha256(part);
        if (!actual.equals(file.sha256()) && transfer.resumed()) {
            // the earlier part may have come from other bytes: start over once
            LOG.log(System.Logger.Level.WARNING, "{0}: resumed download does not verify, downloading it whole",
                    file.relativePath());
            Files.delete(part);
            transfer = fetch(file, source, part, 0);
            actual = sha256(part);
        }
        if (!actual.equals(file.sha256())) {
            long size = Files.size(part);
            Files.deleteIfExists(part);
            throw new ModelDownloadException(file, "download from " + source + " is corrupt: sha256 "
                    + actual + " (" + size + " bytes) does not match the expected " + file.sha256()
                    + (file.sizeBytes() > 0 ? " (" + file.sizeBytes() + " bytes)" : "")
                    + "; the partial file was deleted");
        }
        moveIntoPlace(part, target);
        return new ModelFetchResult(file, transfer.resumed() ? ModelFetchResult.RESUMED : ModelFetchResult.DOWNLOADED,
                transfer.bytes(), millisSince(started));
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Bytes received and whether they continued an earlier part. */
    private record Transfer(long bytes, boolean resumed) {
    }

    private Transfer fetch(ModelFile file, URI source, Path part, long offset) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(source)
                .timeout(stallTimeout)
                .header("User-Agent", "sightline-model-downloader")
                .GET();
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
        }
        PartFileSink sink = new PartFileSink(file, part, offset);
        CompletableFuture<HttpResponse<Long>> response = client.sendAsync(request.build(), sink);
        try {
            HttpResponse<Long> done = await(file, source, response, sink);
            int status = done.statusCode();
            if ((status == 416 || sink.unusableRange) && offset > 0) {
                // nothing after our part (416) or a different range: the part is no use
                sink.close();
                Files.deleteIfExists(part);
                return fetch(file, source, part, 0);
            }
            if (status != 200 && status != 206) {
                throw new ModelDownloadException(file, "HTTP " + status + " from " + source);
            }
            return new Transfer(sink.received(), sink.resumed());
        } finally {
            sink.close();
        }
    }

    private HttpResponse<Long> await(ModelFile file, URI source, CompletableFuture<HttpResponse<Long>> response,
                                     PartFileSink sink) {
        long stallNanos = stallTimeout.toNanos();
        try {
            while (true) {
                try {
                    return response.get(Math.min(POLL_NANOS, stallNanos), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    long idle = sink.idleNanos();
                    if (idle >= stallNanos) {
                        ModelDownloadException stalled = new ModelDownloadException(file, "download from "
                                + source + " stalled: no data for " + stallTimeout.toMillis() + " ms after "
                                + sink.onDisk() + " bytes; the partial file is kept and the next attempt resumes it");
                        sink.abort(stalled);
                        response.cancel(true);
                        throw stalled;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sink.abort(e);
            response.cancel(true);
            throw new ModelDownloadException(file, "interrupted while downloading from " + source, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof ModelDownloadException m) {
                    throw m;
                }
            }
            if (cause instanceof HttpTimeoutException) {
                throw new ModelDownloadException(file, "download from " + source + " stalled: no response within "
                        + stallTimeout.toMillis() + " ms", cause);
            }
            if (cause instanceof ConnectException) {
                throw new ModelDownloadException(file, "cannot connect to " + source + ": " + cause, cause);
            }
            throw new ModelDownloadException(file, "download from " + source + " failed after " + sink.onDisk()
                    + " bytes: " + cause, cause);
        }
    }

    /**
     * Streams the body into the {@code .part} file: truncating it for a 200, appending for a 206 that
     * continues exactly where the part ends. Records when bytes last arrived for stall detection.
     */
    private final class PartFileSink implements HttpResponse.BodyHandler<Long> {

        private final ModelFile file;
        private final Path part;
        private final long offset;
        private volatile long lastActivity = System.nanoTime();
        private volatile long received;
        private volatile long onDisk;
        private volatile boolean resumed;
        private volatile boolean unusableRange;
        private volatile FileChannel channel;
        private volatile Flow.Subscription subscription;
        private final CompletableFuture<Long> body = new CompletableFuture<>();

        PartFileSink(ModelFile file, Path part, long offset) {
            this.file = file;
            this.part = part;
            this.offset = offset;
            this.onDisk = offset;
        }

        long idleNanos() {
            return System.nanoTime() - lastActivity;
        }

        long received() {
            return received;
        }

        long onDisk() {
            return onDisk;
        }

        boolean resumed() {
            return resumed;
        }

        @Override
        public HttpResponse.BodySubscriber<Long> apply(HttpResponse.ResponseInfo info) {
            lastActivity = System.nanoTime();
            int status = info.statusCode();
            long total;
            try {
                if (status == 206 && offset > 0) {
                    String range = info.headers().firstValue("Content-Range").orElse("");
                    Matcher m = CONTENT_RANGE.matcher(range);
                    if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                        LOG.log(System.Logger.Level.WARNING, "{0}: asked for bytes {1}- and got Content-Range ''{2}'': "
                                + "downloading it whole", file.relativePath(), offset, range);
                        unusableRange = true;
                        return HttpResponse.BodySubscribers.replacing(-1L);
                    }
                    total = m.group(3).equals("*") ? file.sizeBytes() : Long.parseLong(m.group(3));
                    channel = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                    resumed = true;
                } else if (status == 200 || status == 206) {
                    // a 200 to a range request: the server ignores ranges, start over
                    total = info.headers().firstValueAsLong("Content-Length").orElse(file.sizeBytes());
                    channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                    onDisk = 0;
                } else {
                    return HttpResponse.BodySubscribers.replacing(-1L);
                }
            } catch (IOException e) {
                throw new ModelDownloadException(file, "cannot open " + part + ": " + e.getMessage(), e);
            }
            long expected = total > 0 ? total : -1;
            listener.progress(file, onDisk, expected);
            return new Writer(expected);
        }

        /** Writes each chunk as it arrives, asking for the next one only after the write. */
        private final class Writer implements HttpResponse.BodySubscriber<Long> {
            private final long expected;

            Writer(long expected) {
                this.expected = expected;
            }

            @Override
            public CompletionStage<Long> getBody() {
                return body;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                if (body.isDone()) {
                    s.cancel();
                } else {
                    s.request(1);
                }
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                try {
                    FileChannel out = channel;
                    if (out == null || body.isDone()) {
                        return;
                    }
                    for (ByteBuffer b : items) {
                        int n = b.remaining();
                        while (b.hasRemaining()) {
                            out.write(b);
                        }
                        received += n;
                        onDisk += n;
                    }
                    lastActivity = System.nanoTime();
                    if (file.sizeBytes() > 0 && onDisk > file.sizeBytes()) {
                        abort(new ModelDownloadException(file, "server sent more than the expected "
                                + file.sizeBytes() + " bytes"));
                        return;
                    }
                    listener.progress(file, onDisk, expected);
                    subscription.request(1);
                } catch (IOException | RuntimeException e) {
                    abort(e instanceof ModelDownloadException ? e
                            : new ModelDownloadException(file, "cannot write " + part + ": " + e.getMessage(), e));
                }
            }

            @Override
            public void onError(Throwable t) {
                close();
                body.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                close();
                body.complete(received);
            }
        }

        void abort(Throwable reason) {
            body.completeExceptionally(reason);
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            close();
        }

        synchronized void close() {
            FileChannel c = channel;
            channel = null;
            if (c != null) {
                try {
                    c.force(false);
                    c.close();
                } catch (IOException ignored) {
                    // the digest check that follows catches anything not written
                }
            }
        }
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static long millisSince(long started) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }
}
