package io.sightline.fallback.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.nio.file.Path;
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

    /**
     * vlm-service, the one owner of VLM calls, asked when confidence is low (class {@code interactive}; watch
     * jobs send {@code watch}). It queues, schedules and picks the server; nothing here sizes a server.
     */
    interface Vlm {

        /** vlm-service's OpenAI API root, e.g. http://127.0.0.1:8084/v1 (env SIGHTLINE_VLM_SERVICE_URL); unset = no VLM. */
        Optional<URI> baseUrl();

        /** Catalog id of the model in vlm-service ({@code default}: its default model; GET /v1/models lists them). */
        @WithDefault("default")
        String model();

        /**
         * Bearer sent to vlm-service: the internal token ({@code sightline.internal.token}, wired in
         * application.properties; not a setting of its own).
         */
        Optional<String> apiKey();

        /** End-to-end limit of one VLM answer, vlm-service's queue wait included; past it the query fails with 504. */
        @WithDefault("30s")
        Duration timeout();

        /** Connections to vlm-service (it queues; this only sizes the client's pool). */
        default int maxConcurrent() {
            return 16;
        }

        /** Requests that may wait for a pooled connection. */
        default int maxQueued() {
            return 64;
        }

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

        /**
         * Added to the image prompt when the question asks where something is ("where is the cup?"), so the
         * answer carries a box the console can draw. Placeholders as {@link #imagePrompt()}.
         */
        @WithDefault(" The question asks where something is: say where in words, then give its bounding box as JSON "
                + "{\"bbox_2d\": [x1, y1, x2, y2], \"label\": \"...\"} in pixels of this {width}x{height} image.")
        String wherePrompt();

        /**
         * What the VLM's box numbers are in: {@code auto} (0-1 fractions, tags and numbers beyond the image as
         * 0-1000, else pixels of the image sent), {@code pixels} (Qwen2.5-VL), {@code per-mille} (0-1000: Qwen3-VL),
         * {@code fraction}.
         */
        @WithDefault("auto")
        String boxUnits();
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

        /**
         * Where the example and calibration vectors are kept between starts (computing them is most of the
         * start); unset = computed at every start. {@code ./sightline up}: the service's state directory.
         */
        Optional<Path> referenceVectorsDir();
    }
}
