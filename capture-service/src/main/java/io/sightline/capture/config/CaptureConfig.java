package io.sightline.capture.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything capture-service can be told, under {@code sightline.capture}. */
@ConfigMapping(prefix = "sightline.capture")
public interface CaptureConfig {

    /** Directory where the camera configuration is persisted (env SIGHTLINE_STATE_DIR). */
    @WithDefault("${user.home}/.sightline/state/capture-service")
    String stateDir();

    /**
     * Directories that file and directory sources may read from (env SIGHTLINE_CAPTURE_MEDIA_ROOTS, comma separated).
     * Paths are resolved to their real path (symlinks followed) and must stay inside one of them. Default: the
     * state directory's {@code media/}.
     */
    Optional<List<String>> mediaRoots();

    /**
     * IANA time zone of cameras whose configuration names none (env SIGHTLINE_TIME_ZONE); unset = UTC. Sent with every
     * frame (header {@code time-zone}) so time phrases about a camera ("today") are read in its zone.
     */
    Optional<String> timeZone();

    /** Register an unknown camera as a push camera on its first push instead of answering 404. */
    @WithDefault("false")
    boolean autoRegister();

    /** Image preprocessing applied to every frame, pulled or pushed. */
    Image image();

    /** Defaults of the per-camera sampling and change gate. */
    Gate gate();

    /** Kafka publishing limits. */
    Publish publish();

    /** How pulled sources connect and reconnect. */
    Sources sources();

    /** Cameras declared in configuration; created or replaced at startup (they win over the stored copy). */
    Map<String, SeededCamera> cameras();

    interface Image {
        /** Frames are downscaled so their long side is at most this many pixels. */
        @WithDefault("1280")
        int maxLongSide();

        /** JPEG quality of published frames, 1-100. */
        @WithDefault("85")
        int jpegQuality();

        /** Largest accepted encoded image (push body, snapshot, file in a directory), in bytes. */
        @WithDefault("10485760")
        int maxBytes();

        /** Largest accepted image in pixels (width x height), checked from the header before decoding. */
        @WithDefault("50000000")
        long maxPixels();
    }

    interface Gate {
        /** Frames per second a camera samples when its configuration does not say. */
        @WithDefault("1.0")
        double defaultFps();

        /** Share of thumbnail cells (0-1) that must change noticeably for a frame to count as a scene change. */
        @WithDefault("0.02")
        double changeThreshold();

        /** A frame is published at least this often even when nothing changes. */
        @WithDefault("30s")
        Duration keepAlive();

        /** Grey-level difference (0-255) at which a thumbnail cell counts as changed. */
        @WithDefault("24")
        int cellThreshold();
    }

    interface Publish {
        /** How long a push waits for Kafka's acknowledgement before answering 503 with Retry-After. */
        @WithDefault("5s")
        Duration pushTimeout();

        /** Seconds sent in Retry-After when Kafka cannot take a push. */
        @WithDefault("5")
        int retryAfterSeconds();

        /** Unacknowledged pushes allowed per camera; more get 503 at once instead of queueing. */
        @WithDefault("4")
        int maxPendingPushes();
    }

    interface Sources {
        /** First reconnect delay after a stream drops or a poll fails. */
        @WithDefault("1s")
        Duration reconnectInitial();

        /** Longest reconnect delay (the delay doubles up to this). */
        @WithDefault("30s")
        Duration reconnectMax();

        /** Network read/connect timeout of streams and snapshot polls. */
        @WithDefault("10s")
        Duration ioTimeout();
    }

    /** A camera declared in configuration, e.g. {@code sightline.capture.cameras.door.source.type=rtsp}. */
    interface SeededCamera {
        /** Source of the camera. */
        SeededSource source();

        /** Target frames per second (empty: the gate default). */
        Optional<Double> fps();

        /** Change threshold override (empty: the gate default). */
        Optional<Double> changeThreshold();

        /** Keep-alive override (empty: the gate default). */
        Optional<Duration> keepAlive();

        /** IANA time zone of the camera (empty: {@code sightline.capture.time-zone}). */
        Optional<String> timeZone();
    }

    interface SeededSource {
        /** rtsp, mjpeg, file, snapshot, directory or push. */
        String type();

        /** Stream or snapshot URL (rtsp, mjpeg, snapshot). */
        Optional<String> url();

        /** File or directory path (file, directory). */
        Optional<String> path();

        /** Start over at the end (file, directory). */
        @WithDefault("false")
        boolean loop();
    }
}
