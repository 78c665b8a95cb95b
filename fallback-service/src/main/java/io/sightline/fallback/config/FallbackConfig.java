package io.sightline.fallback.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Configuration of fallback-service (queries, VLM fallback, classifier); the latest-frame cache is sightline.latest-state.*. */
@ConfigMapping(prefix = "sightline.fallback")
public interface FallbackConfig {


    /** Confidence below which the VLM is asked with the latest frame; exactly this value is not below. */
    @WithDefault("0.40")
    double confidenceThreshold();

    /** Oldest caption/detections a template answer may be built from; older evidence goes to the VLM instead. */
    @WithDefault("300s")
    Duration stateMaxAge();

    /** Time zone (e.g. Europe/Berlin) of the clock times in answers ("as of 12:03:04"); unset = the JVM's zone. */
    Optional<String> timeZone();

    /** Longest query text accepted, in characters. */
    @WithDefault("2000")
    int maxQueryLength();

    /** Number of recent queries the latency percentiles of {@code /api/v1/stats} are computed over. */
    @WithDefault("2048")
    int statsWindow();

    Vlm vlm();

    Classifier classifier();

    History history();

    /** history-service, which answers questions about the past (when, how many in a period, what happened). */
    interface History {

        /** Its root URL, e.g. http://127.0.0.1:8085 (env SIGHTLINE_HISTORY_URL); unset = time questions go the usual way. */
        Optional<URI> baseUrl();

        /** Upper bound of one history call. */
        @WithDefault("3s")
        Duration timeout();
    }

    /** The OpenAI-compatible VLM asked when confidence is low. */
    interface Vlm {

        /** API root, e.g. http://127.0.0.1:8090/v1; unset = no VLM. Mapped from SIGHTLINE_VLM_BASE_URL. */
        Optional<URI> baseUrl();

        /** Model name sent to the server (llama-server ignores it; vLLM/Ollama need the served name). */
        @WithDefault("default")
        String model();

        /** Bearer API key of the server, if it needs one. */
        Optional<String> apiKey();

        /** End-to-end limit of one VLM answer, queue wait included; past it the query fails with 504. */
        @WithDefault("30s")
        Duration timeout();

        /** Requests in flight at once (the server's slots). */
        @WithDefault("2")
        int maxConcurrent();

        /** Requests that may wait for a slot; beyond that queries fail fast with 503. */
        @WithDefault("32")
        int maxQueued();

        /** max_tokens of an answer. */
        @WithDefault("500")
        int maxTokens();

        /** Sampling temperature. */
        @WithDefault("0.7")
        double temperature();

        /** Whether low-confidence queries may attach the camera's latest frame; false = text-only VLM calls. */
        @WithDefault("true")
        boolean imageFallback();

        /**
         * System prompt when the latest frame is attached. Placeholders: {query}, {camera}, {captured_at},
         * {age}, {width}, {height}, {frame_id}.
         */
        @WithDefault("You are Sightline, answering a person's question about what camera {camera} shows right now. "
                + "The attached image is the latest frame of {camera} ({width}x{height} pixels, captured at {captured_at}, {age} ago). "
                + "Answer only from what the image shows, briefly and concretely; if the image does not show the answer, say so. "
                + "Question: {query}")
        String imagePrompt();

        /**
         * System prompt when no current frame is available. Placeholders: {query}, {camera}, {reason},
         * {observations} (latest caption and detections, or "none").
         */
        @WithDefault("You are Sightline, answering a person's question about camera {camera}. "
                + "No current image of {camera} is available ({reason}), so you cannot see the camera: do not describe what it shows. "
                + "Earlier pipeline observations: {observations}. "
                + "Answer only from these observations and say how old they are; if they do not answer the question, "
                + "say that it cannot be told without a current image. Question: {query}")
        String textPrompt();
    }

    /** The query classifier (sentence embeddings against labelled examples). */
    interface Classifier {

        /** Softmax temperature of the confidence; unset = fitted at startup on the calibration examples. */
        Optional<Double> temperature();

        /** ONNX Runtime intra-op threads of the embedding model (one short sentence per query needs no more). */
        @WithDefault("1")
        int threads();

        /** Query embeddings kept for repeated texts (least recently used evicted); 0 disables the cache. */
        @WithDefault("512")
        int embeddingCacheSize();
    }
}
