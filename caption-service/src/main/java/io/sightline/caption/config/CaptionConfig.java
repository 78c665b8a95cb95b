package io.sightline.caption.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Everything caption-service can be told; env vars map by the usual rules (SIGHTLINE_CAPTION_...). */
@ConfigMapping(prefix = "sightline.caption")
public interface CaptionConfig {

    /** Tier to use: auto (catalog + hardware + availability) or one of caption-server, vlm, sidecar, onnx, labels, none. Env SIGHTLINE_VISION_BACKEND. */
    @WithDefault("auto")
    String backend();

    /** Instruction sent with each frame to the generative tiers. */
    @WithDefault("Describe this camera frame in two sentences: what is visible and what is happening.")
    String prompt();

    /** Directory holding the ONNX models (env SIGHTLINE_MODELS_DIR). */
    Path modelsDir();

    /** Download missing ONNX models (with resume and sha256 check) when the onnx tier starts. */
    @WithDefault("true")
    boolean modelsDownload();

    /** A model download that receives no byte for this long is aborted. */
    @WithDefault("30s")
    Duration modelsDownloadStallTimeout();

    /** How often remote tiers (vlm, sidecar, external caption server) are probed for availability. */
    @WithDefault("15s")
    Duration availabilityProbeInterval();

    /** Frames that no describing tier could describe get an empty caption from the none tier (true) or go to frames.dlq (false). */
    @WithDefault("true")
    boolean fallThroughToNone();

    /** A frame not described (all tiers, start waits included) within this time goes to frames.dlq. */
    @WithDefault("120s")
    Duration frameTimeout();

    /**
     * Frame ids remembered per camera to skip a frame id seen before (a client retry with the same
     * Idempotency-Key, a record written twice to frames): such a record gets no second caption.
     */
    @WithDefault("512")
    int recentFrameIds();

    /** Circuit breaker applied to every tier. */
    Breaker breaker();

    @WithName("caption-server")
    CaptionServer captionServer();

    Vlm vlm();

    Sidecar sidecar();

    Onnx onnx();

    Labels labels();

    None none();

    /** Escalation pipeline: onnx analysis on every frame, the describing tier only when the scene's meaning changes. */
    Escalation escalation();

    interface Escalation {
        /**
         * Escalate only on meaning change (true) or describe every gated frame as before (false). Either way the
         * onnx analysis runs on every frame and is published to detections whenever its models are present.
         */
        @WithDefault("true")
        boolean enabled();

        /** A camera's frame is described at least this often even when nothing changes. */
        @WithDefault("10m")
        Duration keepAlive();

        /** An object counts as moved when its centre travels this share of the frame diagonal (0-1). */
        @WithDefault("0.2")
        double movement();

        /** Text counts as changed when this share (0-1) of its normalised characters differs (edit distance). */
        @WithDefault("0.25")
        double textChange();

        /** Detections below this score are left out of the scene signature (so flicker does not escalate). */
        @WithDefault("0.45")
        double minScore();

        /** Describing-tier calls per camera per minute (0: unlimited); over it the escalation waits for the next window. */
        @WithDefault("6")
        int cameraPerMinute();

        /** Describing-tier calls per camera per hour (0: unlimited). */
        @WithDefault("120")
        int cameraPerHour();

        /** Describing-tier calls of all cameras per minute (0: unlimited). */
        @WithDefault("30")
        int globalPerMinute();

        /** Describing-tier calls of all cameras per hour (0: unlimited). */
        @WithDefault("600")
        int globalPerHour();

        /** Per-camera overrides (sightline.caption.escalation.cameras."front-door".keep-alive=5m); unset keys use the defaults above. */
        Map<String, CameraRules> cameras();
    }

    /** One camera's overrides of {@link Escalation}'s keys. */
    interface CameraRules {
        /** See Escalation.enabled. */
        Optional<Boolean> enabled();

        /** See Escalation.keepAlive. */
        Optional<Duration> keepAlive();

        /** See Escalation.movement. */
        Optional<Double> movement();

        /** See Escalation.textChange. */
        Optional<Double> textChange();

        /** See Escalation.minScore. */
        Optional<Double> minScore();

        /** See Escalation.cameraPerMinute. */
        Optional<Integer> perMinute();

        /** See Escalation.cameraPerHour. */
        Optional<Integer> perHour();
    }

    interface Labels {
        /** Frames classified at once. */
        @WithDefault("2")
        int concurrency();
    }

    interface None {
        /** Frames passed through at once. */
        @WithDefault("64")
        int concurrency();
    }

    interface Breaker {
        /** Consecutive tier faults (timeouts, 5xx, refused connections) that open a tier's breaker. */
        @WithDefault("3")
        int failureThreshold();

        /** How long an open breaker sends frames to the next tier before one trial frame is let through. */
        @WithDefault("30s")
        Duration coolDown();
    }

    interface CaptionServer {
        /** vlm-service's OpenAI API root (it hosts the caption model and starts it on demand), env SIGHTLINE_VLM_SERVICE_URL. */
        @WithDefault("http://127.0.0.1:8084/v1")
        URI baseUrl();

        /** Catalog id of the caption model in vlm-service ({@code default}: vlm-service's default hosted model). */
        @WithDefault("default")
        String model();

        /** While vlm-service starts the model, send frames to the next tier instead of waiting. */
        @WithDefault("false")
        boolean fallbackWhileStarting();

        /** Frames described at once. */
        @WithDefault("1")
        int concurrency();

        /** Per-request timeout (vlm-service's start wait and queue wait included). */
        @WithDefault("60s")
        Duration timeout();

        /** max_tokens of each request. */
        @WithDefault("100")
        int maxTokens();

        /** temperature of each request. */
        @WithDefault("0.1")
        double temperature();

        /** Frame sent downscaled to fit 512x288, JPEG quality 40. */
        @WithDefault("512")
        @WithName("downscale.width")
        int downscaleWidth();

        /** See downscale.width. */
        @WithDefault("288")
        @WithName("downscale.height")
        int downscaleHeight();

        /** See downscale.width. */
        @WithDefault("40")
        @WithName("downscale.jpeg-quality")
        int downscaleJpegQuality();
    }

    /** The {@code vlm} tier: a larger model in vlm-service, asked at class {@code batch}. */
    interface Vlm {
        /** vlm-service's API root when it is not the caption-server tier's (tests); unset = caption-server.base-url. */
        Optional<URI> baseUrl();

        /** Catalog id of the model in vlm-service ({@code default}: its default model; GET /v1/models lists them). */
        @WithDefault("default")
        String model();

        /** Frames described at once (vlm-service queues beyond its slots). */
        @WithDefault("2")
        int concurrency();

        /** Per-request timeout (queue wait included). */
        @WithDefault("30s")
        Duration timeout();

        /** max_tokens of each request. */
        @WithDefault("100")
        int maxTokens();

        /** temperature of each request. */
        @WithDefault("0.1")
        double temperature();

        /** Frame sent downscaled to fit width x height. */
        @WithDefault("768")
        @WithName("downscale.width")
        int downscaleWidth();

        /** See downscale.width. */
        @WithDefault("432")
        @WithName("downscale.height")
        int downscaleHeight();

        /** JPEG quality of the downscaled frame. */
        @WithDefault("60")
        @WithName("downscale.jpeg-quality")
        int downscaleJpegQuality();
    }

    interface Sidecar {
        /** Root URL of the GPU sidecar (POST {url}/describe, GET {url}/health); unset = tier unavailable. */
        Optional<URI> url();

        /** Per-request timeout. */
        @WithDefault("15s")
        Duration timeout();

        /** Requests in flight at once. */
        @WithDefault("2")
        int concurrency();
    }

    interface Onnx {
        /** Frames analysed at once (callers of the one shared set of ONNX sessions). */
        @WithDefault("2")
        int sessions();

        /** Intra-op threads per session. */
        @WithDefault("1")
        int intraOpThreads();

        /** Minimum detection score kept. */
        @WithDefault("0.35")
        float scoreThreshold();

        /** IoU above which overlapping boxes of a class are suppressed. */
        @WithDefault("0.45")
        float nmsIou();

        /** Read text (PaddleOCR) as well as detecting objects. */
        @WithDefault("true")
        boolean ocr();

        /** Most text lines read per frame. */
        @WithDefault("8")
        int maxOcrLines();
    }
}
