package io.sightline.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything the gateway can be told. Downstream URLs are {@code quarkus.rest-client.<name>.url}. */
@ConfigMapping(prefix = "sightline.gateway")
public interface GatewayConfig {

    /** Bearer token the gateway presents to the internal services (env SIGHTLINE_INTERNAL_TOKEN); never logged. */
    Optional<String> internalToken();

    /** API keys: where they come from and what each may do. */
    Keys keys();

    /** Per-key request rate limit (token bucket). */
    RateLimit rateLimit();

    /** Failed authentications allowed per client address. */
    AuthFailures authFailures();

    /** Request body limits per route (bytes); larger bodies get 413. */
    Limits limits();

    /** Pushed frames: limited per camera (frames/s) instead of by the per-key request limit. */
    Push push();

    /** Calls to capture-, caption-, fallback-, history- and watch-service. */
    Downstream downstream();

    /** Caption history and live stream. */
    Captions captions();

    /** The VLM behind the OpenAI-compatible endpoint. */
    Vlm vlm();

    /** The web console at {@code /}: its sign-in sessions. */
    Console console();

    interface Console {
        /**
         * Secret the session cookies are sealed with (AES-GCM key derived from it; env SIGHTLINE_CONSOLE_SESSION_SECRET).
         * Every gateway replica needs the same one so a session opened on one is accepted by all; unset, the key is
         * derived from the internal token (which the replicas share), and without that too each process seals with a
         * random key of its own (sessions then end with a restart and do not cross replicas).
         */
        Optional<String> sessionSecret();

        /** How long a console session lasts after sign-in. */
        @WithDefault("12h")
        Duration sessionTtl();

        /** Mark the cookie {@code Secure} even on plain HTTP (set when TLS ends at a proxy in front of the gateway). */
        @WithDefault("false")
        boolean secureCookie();

        /**
         * The Kafka bootstrap address the Cameras page puts in a push camera's {@code kcat} line (shown to operators and
         * admins); application.properties defaults it to the gateway's own {@code kafka.bootstrap.servers}. Set it when
         * people reach the broker by another address (an external listener).
         */
        Optional<String> kafkaBootstrap();
    }

    interface Keys {
        /** File of {@code <key or sha256:hex>:<role>[:batch]} lines (env SIGHTLINE_GATEWAY_KEYS_FILE). */
        Optional<Path> file();

        /** Keys given inline, same line format, comma separated (env SIGHTLINE_GATEWAY_KEYS_INLINE). Prefer the file. */
        Optional<List<String>> inline();

        /** Shortest raw key accepted; shorter keys are refused at startup as guessable. */
        @WithDefault("16")
        int minLength();

        /** How often the keys file is checked for changes (rotation without restart). */
        @WithDefault("10s")
        Duration reloadInterval();
    }

    interface RateLimit {
        /** Sustained requests per second per key. */
        @WithDefault("20")
        double perSecond();

        /** Burst size per key (bucket capacity). */
        @WithDefault("40")
        int burst();

        /** Buckets idle this long are forgotten. */
        @WithDefault("10m")
        Duration idleEviction();
    }

    interface AuthFailures {
        /** Invalid API keys one client address may present per minute; past that every request from it gets 429 + Retry-After for the rest of the minute. */
        @WithDefault("20")
        int perMinute();
    }

    interface Limits {
        /** POST /api/v1/query, watch jobs, camera create/update. */
        @WithDefault("65536")
        long smallBodyBytes();

        /** POST /api/v1/frames/{camera} (pushed images; capture-service re-checks). */
        @WithDefault("10485760")
        long frameBodyBytes();

        /** POST /v1/chat/completions (carries base64 images). Must not exceed quarkus.http.limits.max-body-size. */
        @WithDefault("16777216")
        long chatBodyBytes();
    }

    interface Push {
        /** Sustained frames per second one camera may push (token bucket per camera id). */
        @WithDefault("10")
        double perCameraFps();

        /** Frames one camera may push at once above the sustained rate (bucket capacity). */
        @WithDefault("20")
        int burst();
    }

    interface Downstream {
        /** Upper bound of one question (fallback-service may ask a VLM). */
        @WithDefault("120s")
        Duration queryTimeout();

        /** Upper bound of any other downstream call. */
        @WithDefault("10s")
        Duration timeout();

        /** Timeout of each readiness probe of a downstream's /q/health/ready. */
        @WithDefault("2s")
        Duration readinessTimeout();

        /** Downstreams whose readiness makes the gateway ready (of capture, caption, fallback, history, watch). */
        @WithDefault("capture,caption,fallback")
        List<String> requiredForReadiness();
    }

    interface Captions {
        /** Captions returned when no limit is given. */
        @WithDefault("50")
        int defaultLimit();

        /** Largest limit accepted (400 above). */
        @WithDefault("500")
        int maxLimit();
    }

    /**
     * vlm-service, which owns every VLM call: {@code /v1/*} is forwarded to it with the internal token, the
     * caller's {@code model} (a vlm-service catalog id), the class the request is served at and the key's
     * entitlement; it queues, schedules and picks the server.
     */
    interface Vlm {
        /** vlm-service's OpenAI API root, e.g. http://127.0.0.1:8084/v1 (env SIGHTLINE_VLM_SERVICE_URL). Unset: /v1 answers 503. */
        Optional<URI> baseUrl();

        /** End-to-end limit of one completion, vlm-service's queue wait included. */
        @WithDefault("120s")
        Duration timeout();
    }
}
