package io.sightline.capture.source;

import io.quarkus.logging.Log;
import io.sightline.capture.camera.SourceSpec;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A source that a dedicated thread of this service pulls frames from. Stopping is prompt: waits are
 * interruptible through the stop latch and blocking I/O is aborted by {@link #abort()}.
 */
public abstract class PulledSource implements Runnable {

    protected final String camera;
    protected final SourceSpec spec;
    protected final FrameFeed feed;
    protected final SourceSettings settings;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private Thread thread;

    protected PulledSource(String camera, SourceSpec spec, FrameFeed feed, SourceSettings settings) {
        this.camera = camera;
        this.spec = spec;
        this.feed = feed;
        this.settings = settings;
    }

    public synchronized void start() {
        thread = new Thread(this::runGuarded, "capture-" + camera);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        stopSignal.countDown();
        abort();
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (running.isAlive()) {
                Log.warnf("Source of camera %s did not stop within 5 s", camera);
            }
        }
    }

    protected boolean stopping() {
        return stopSignal.getCount() == 0;
    }

    /** Waits, returning false as soon as the source is stopped. */
    protected boolean pause(long millis) {
        if (millis <= 0) {
            return !stopping();
        }
        try {
            return !stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Closes blocking resources so the source thread returns; called from another thread on stop. */
    protected void abort() {
    }

    private void runGuarded() {
        try {
            run();
        } catch (RuntimeException | Error e) {
            if (!stopping()) {
                Log.errorf(e, "Source of camera %s crashed", camera);
                feed.failed("source crashed: " + spec.scrub(String.valueOf(e.getMessage())));
            }
        }
    }

    protected long intervalMillis(double fps) {
        return Math.max(1, Math.round(1000.0 / fps));
    }

    /** Connection settings shared by the sources. */
    /** {@code outbound} vets every connection a URL source opens (and gives the address to pin it to); {@code http} fetches snapshots. */
    public record SourceSettings(Duration reconnectInitial, Duration reconnectMax, Duration ioTimeout, double fps, int maxBytes,
                                 io.sightline.common.net.OutboundAddressPolicy outbound, io.vertx.core.http.HttpClient http) {
    }

    protected static String messageOf(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
