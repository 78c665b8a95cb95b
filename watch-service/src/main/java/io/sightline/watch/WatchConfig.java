package io.sightline.watch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Configuration of watch-service (the latest-frame cache it reads is {@code sightline.latest-state.*}). */
@ConfigMapping(prefix = "sightline.watch")
public interface WatchConfig {

    /** Most jobs in status {@code running} across all cameras (and replicas); more is answered 429. */
    @WithDefault("200")
    int maxJobs();

    /** Most jobs in status {@code running} on one camera; more is answered 409. */
    @WithDefault("20")
    int maxJobsPerCamera();

    /** {@code max_duration_minutes} when the request names none. */
    @WithDefault("60")
    int defaultDurationMinutes();

    /** How long one minute of {@code max_duration_minutes} lasts. Always 1 minute in production; tests shorten it. */
    @WithDefault("PT1M")
    Duration minute();

    /** Wait after an answer that is not the expected JSON. */
    @WithDefault("PT30S")
    Duration retryAfterUnparseable();

    /** Wait after an empty answer (the unanswered frame is dropped from the conversation). */
    @WithDefault("PT30S")
    Duration retryAfterEmpty();

    /** Wait when no vision-capable VLM is configured or reachable, or a VLM call failed. */
    @WithDefault("PT30S")
    Duration retryAfterNoVision();

    /** Wait when the camera has no current frame ("Camera frame unavailable"). */
    @WithDefault("PT10S")
    Duration retryAfterNoFrame();

    /** Wait after a verdict without {@code next_run_in}, in seconds. */
    @WithDefault("30")
    int defaultNextRunSeconds();

    /** Lower bound of the model's {@code next_run_in}, in seconds. */
    @WithDefault("1")
    int minNextRunSeconds();

    /** Upper bound of the model's {@code next_run_in}, in seconds. */
    @WithDefault("300")
    int maxNextRunSeconds();

    /**
     * Without zones, after the first matching detection further detections are drained for this long,
     * then the job wakes once (detections arrive with nearly every frame).
     */
    @WithDefault("PT10S")
    Duration detectionCooldown();

    /** Conversation memory: the system prompt plus this many most recent frame/answer pairs. */
    @WithDefault("10")
    int historyPairs();

    /** Frames sent to the VLM are downscaled to at most this many pixels high. */
    @WithDefault("480")
    int frameMaxHeight();

    /** JPEG quality (0-1) of frames sent to the VLM. */
    @WithDefault("0.85")
    float jpegQuality();

    /** Time zone of the "Frame captured at HH:MM:SS." line; the system zone when unset. */
    Optional<String> timeZone();

    /** Limit of one VLM call, queue wait included. */
    @WithDefault("PT90S")
    Duration vlmTimeout();

    /** {@code max_tokens} of each VLM call. */
    @WithDefault("300")
    int vlmMaxTokens();

    /** {@code temperature} of each VLM call (low: verdicts should be stable). */
    @WithDefault("0.2")
    double vlmTemperature();

    /** Threads that prepare frames and handle answers (the VLM call itself is asynchronous). */
    @WithDefault("2")
    int workerThreads();

    /**
     * Consumer group whose partition assignment of {@code watch.jobs} decides which replica runs which
     * job. Must be the same on every replica of one deployment.
     */
    @WithDefault("watch-service-owners")
    String ownerGroup();

    /**
     * Static member id of this replica in the owner group ({@code group.instance.id}), stable across
     * restarts: a replica killed and restarted takes its jobs back at once. Unique per live replica.
     */
    @WithDefault("watch-service-${sightline.replica-id}")
    String ownerInstanceId();

    /** Session timeout of the owner group: how long the jobs of a replica gone for good wait for another owner. */
    @WithDefault("PT10S")
    Duration ownerSessionTimeout();

    /** Poll interval of the ownership and job-state consumers (how fast cancels and hand-overs are seen). */
    @WithDefault("PT0.2S")
    Duration pollInterval();

    /** Finished jobs stay listed this long, then the owner writes a tombstone to {@code watch.jobs}. */
    @WithDefault("P7D")
    Duration finishedRetention();

    /** How often the owner looks for finished jobs past their retention. */
    @WithDefault("PT10M")
    Duration purgeInterval();

    /** Wait after a verdict that may not be trusted to notify (truncated, or recovered from malformed JSON). */
    @WithDefault("PT5S")
    Duration retryAfterUnreliable();

    Vlm vlm();

    Budget budget();

    Links links();

    /** vlm-service, asked with priority class WATCH. */
    interface Vlm {

        /** OpenAI API root of vlm-service, e.g. http://127.0.0.1:8084/v1 (env SIGHTLINE_VLM_SERVICE_URL); unset = no VLM. */
        Optional<URI> baseUrl();

        /** Bearer key towards it: the internal token (wired in application.properties, not a setting of its own). */
        Optional<String> apiKey();

        /** Model name sent (vlm-service: a catalog id, or "default" for its default model). */
        @WithDefault("default")
        String model();

        /** Calls in flight at once from this replica (vlm-service queues the rest by priority). */
        @WithDefault("4")
        int maxConcurrent();

        /** Calls that may wait for a slot here; beyond that an iteration fails fast and is retried. */
        @WithDefault("256")
        int maxQueued();
    }

    /** How many VLM calls watch jobs may make: per job, and all jobs of this replica together. */
    interface Budget {

        /**
         * Per-job default when the request names no {@code max_vlm_calls}: this many calls per minute of
         * {@code max_duration_minutes} (12 = one look every 5 s on average).
         */
        @WithDefault("12")
        int callsPerMinute();

        /** Largest {@code max_vlm_calls} a request may ask for. */
        @WithDefault("100000")
        int maxCallsPerJob();

        /**
         * VLM calls all watch jobs of this replica may make per hour together; past it a job waits (and says so
         * in {@code last_outcome}) until the hour's window has room again. 0 = unlimited. The default allows 200
         * jobs one look every 24 s on average.
         */
        @WithDefault("30000")
        int globalCallsPerHour();
    }

    /** Where the links in a notification point. */
    interface Links {

        /**
         * Public root of the gateway as people reach it, e.g. https://sightline.example.org (env
         * SIGHTLINE_PUBLIC_URL); unset = notifications carry no thumbnail URL.
         */
        Optional<URI> publicUrl();

        /**
         * history-service's root (env SIGHTLINE_HISTORY_URL): set = it keeps thumbnails, and the thumbnail URL is
         * its frame thumbnail route through the gateway; unset = the gateway's latest-frame route of the camera.
         */
        Optional<URI> historyUrl();
    }
}
