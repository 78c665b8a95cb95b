package io.sightline.capture.source;

import io.quarkus.logging.Log;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.camera.SourceType;
import io.sightline.common.net.VettedDestination;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

import java.awt.image.BufferedImage;
import java.net.URI;

/**
 * RTSP, MJPEG-over-HTTP and video files through FFmpeg (JavaCV's {@link FFmpegFrameGrabber}). Live
 * streams are sampled at the camera's rate; files are played at their own speed (so a looping demo
 * file behaves like a camera) and sampled the same way. A dropped stream is reopened with
 * exponential backoff; a file loops or ends. The grabber is only touched by the source thread (closing
 * it from another thread while it decodes is unsafe in native code); a stalled read ends at the I/O timeout.
 */
public final class StreamSource extends PulledSource {

    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private volatile FFmpegFrameGrabber grabber;
    /** The MJPEG camera's HTTP connection, when one is open (FFmpeg reads its body). */
    private volatile PinnedHttpStream http;

    public StreamSource(String camera, SourceSpec spec, FrameFeed feed, SourceSettings settings) {
        super(camera, spec, feed, settings);
    }

    @Override
    public void run() {
        Backoff backoff = new Backoff(settings.reconnectInitial(), settings.reconnectMax());
        Java2DFrameConverter converter = new Java2DFrameConverter();
        while (!stopping()) {
            String ended;
            try {
                ended = playOnce(converter, backoff);
            } catch (Exception e) {
                if (stopping()) {
                    return;
                }
                String refusal = refusal(e);
                if (refusal != null) {
                    long delay = backoff.next();
                    Log.warnf("Camera %s: %s; retrying in %d ms", camera, refusal, delay);
                    feed.refused(refusal);
                    closeGrabber();
                    if (!pause(delay)) {
                        return;
                    }
                    continue;
                }
                ended = "stream failed: " + spec.scrub(messageOf(e));
            } finally {
                closeGrabber();
            }
            if (stopping()) {
                return;
            }
            if (spec.type() == SourceType.FILE && ended == null) {
                if (!spec.looping()) {
                    feed.finished("end of file");
                    return;
                }
                continue;
            }
            String message = ended != null ? ended : "stream ended";
            long delay = backoff.next();
            Log.warnf("Camera %s: %s; reconnecting in %d ms", camera, message, delay);
            feed.failed(message);
            if (!pause(delay)) {
                return;
            }
        }
    }

    /** Plays the source until it ends; null means a clean end of file, otherwise why the stream stopped. */
    private String playOnce(Java2DFrameConverter converter, Backoff backoff) throws Exception {
        FFmpegFrameGrabber opened = open();
        grabber = opened;
        if (stopping()) {
            return "stopped";
        }
        opened.start();
        feed.connected();
        Log.infof("Camera %s: opened %s (%dx%d)", camera, spec.describe(), opened.getImageWidth(), opened.getImageHeight());
        boolean file = spec.type() == SourceType.FILE;
        long startWall = System.nanoTime();
        long firstTimestamp = -1;
        boolean delivered = false;
        while (!stopping()) {
            Frame frame = opened.grabImage();
            if (frame == null) {
                return file && delivered ? null : file ? "file has no video frames" : "stream ended";
            }
            if (!delivered) {
                delivered = true;
                backoff.reset();
            }
            if (file) {
                // play files at their own speed: wait until the frame's presentation time
                if (firstTimestamp < 0) {
                    firstTimestamp = frame.timestamp;
                }
                long dueMillis = (frame.timestamp - firstTimestamp) / 1000 - (System.nanoTime() - startWall) / 1_000_000;
                if (dueMillis > 0 && !pause(Math.min(dueMillis, 5_000))) {
                    return "stopped";
                }
            }
            feed.frameArrived();
            if (feed.due()) {
                BufferedImage image = converter.convert(frame);
                if (image != null) {
                    feed.offer(image, System.currentTimeMillis());
                }
            }
        }
        return "stopped";
    }

    // FFmpeg's AVERROR_HTTP_UNAUTHORIZED / AVERROR_HTTP_FORBIDDEN (-MKTAG(0xF8,'4','0','1'/'3')), also used for RTSP replies
    private static final String AVERROR_UNAUTHORIZED = "error -825242872";
    private static final String AVERROR_FORBIDDEN = "error -858797304";

    /** Why the camera refused us when it refused the credentials (401/403), else null. */
    static String refusal(Throwable e) {
        String message = String.valueOf(messageOf(e));
        if (message.contains(AVERROR_UNAUTHORIZED)) {
            return "the camera refused the credentials (401 Unauthorized): check the user and password in the URL";
        }
        if (message.contains(AVERROR_FORBIDDEN)) {
            return "the camera refused access (403 Forbidden): the user may not open this stream";
        }
        return null;
    }

    private FFmpegFrameGrabber open() throws java.io.IOException {
        long timeoutMicros = settings.ioTimeout().toMillis() * 1000;
        FFmpegFrameGrabber g;
        switch (spec.type()) {
            case RTSP -> {
                g = new FFmpegFrameGrabber(pinned());
                g.setOption("rtsp_transport", "tcp");
                g.setOption("timeout", Long.toString(timeoutMicros));
                // FFmpeg may open only what an RTSP-over-TCP session needs: no http, file or other hosts' protocols
                g.setOption("protocol_whitelist", "rtsp,rtsps,rtp,tcp,tls");
            }
            case MJPEG -> {
                // FFmpeg's HTTP client would resolve the name again and follow redirects to any host: the
                // stream is opened here, pinned to the vetted address, and FFmpeg only parses its bytes
                URI uri = URI.create(spec.url());
                VettedDestination target = settings.outbound().vet(uri);
                PinnedHttpStream stream = PinnedHttpStream.open(uri, target, settings.ioTimeout());
                http = stream;
                g = new FFmpegFrameGrabber(stream.body(), 0);
                g.setFormat("mpjpeg");
            }
            case FILE -> {
                g = new FFmpegFrameGrabber(spec.path());
                g.setOption("protocol_whitelist", "file");
            }
            default -> throw new IllegalStateException("not a stream source: " + spec.type());
        }
        g.setImageMode(org.bytedeco.javacv.FrameGrabber.ImageMode.COLOR);
        return g;
    }

    /** The RTSP URL with its host replaced by the address the outbound policy vetted (no second DNS lookup). */
    private String pinned() {
        URI uri = URI.create(spec.url());
        return settings.outbound().vet(uri).pinned(uri).toString();
    }

    @Override
    protected void abort() {
        // unblocks a read FFmpeg is waiting in; the grabber itself is closed by the source thread
        PinnedHttpStream open = http;
        if (open != null) {
            open.close();
        }
    }

    private void closeGrabber() {
        FFmpegFrameGrabber current = grabber;
        grabber = null;
        PinnedHttpStream open = http;
        http = null;
        if (open != null) {
            open.close();
        }
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                Log.debugf("Camera %s: closing the grabber: %s", camera, e.getMessage());
            }
        }
    }
}
