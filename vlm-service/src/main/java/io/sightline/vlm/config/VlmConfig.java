package io.sightline.vlm.config;

import io.sightline.vlm.lifecycle.kubernetes.KubernetesLauncherConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything vlm-service can be told: the one VLM configuration group of the system. Env vars map by the
 * usual rules (SIGHTLINE_VLM_...); {@code model} is SIGHTLINE_VLM_MODEL.
 */
@ConfigMapping(prefix = "sightline.vlm")
public interface VlmConfig {

    /**
     * The hosted model offered by default (the one {@code "model": "default"} means): a catalog id, {@code auto}
     * (the smallest catalog model that fits this host's hardware) or {@code none} (host nothing by default).
     */
    @WithDefault("auto")
    String model();

    /** Directory holding hosted models' GGUF files (catalog models are looked for as {@code <models-dir>/<file name>}). */
    Path modelsDir();

    /** Who starts hosted models: process (child llama-server processes), kubernetes (scales a Deployment), external (someone answering vlm_caption.requested). */
    @WithDefault("process")
    String launcher();

    /** Stop a hosted model after this long with nothing in flight or queued (health probes do not count). */
    @WithDefault("300s")
    Duration idleTimeout();

    /** Longest a request waits for a hosted model to become ready (health 200); the start itself goes on. */
    @WithDefault("60s")
    Duration startTimeout();

    /** After a start failure or crash, the next start is attempted no sooner than this (doubling per consecutive failure, at most 8x). */
    @WithDefault("2s")
    Duration restartBackoff();

    /** Per-request timeout towards a model (queue wait included). */
    @WithDefault("120s")
    Duration requestTimeout();

    /** Largest request body accepted on /v1/chat/completions. */
    @WithDefault("16777216")
    long maxBodyBytes();

    @WithName("llama-server")
    LlamaServer llamaServer();

    /** Downloading missing hosted-model files on first use. */
    Download download();

    interface Download {
        /** Fetch a hosted model's missing files (those with a URL) when it is first needed; without a pinned sha256 the digest is recorded on first download. */
        @WithDefault("true")
        boolean enabled();

        /** Mirror base URLs tried in order before each file's own URL; a mirror serves {@code <base>/<file name>}. */
        Optional<List<URI>> mirrors();

        /** A download that receives nothing for this long fails (the partial file is kept for resume). */
        @WithDefault("30s")
        Duration stallTimeout();

        /** Progress is logged and published as model.download at most this often (and at the end). */
        @WithDefault("2s")
        Duration progressInterval();
    }

    /** Extra hosted models from local GGUF files, by id (e.g. sightline.vlm.hosted.tiny.model=/path/text.gguf). */
    Map<String, Hosted> hosted();

    /** Remote OpenAI-compatible endpoints, by id (e.g. sightline.vlm.remote.big.base-url=http://gpu:8000/v1). */
    Map<String, Remote> remote();

    Queue queue();

    KubernetesLauncherConfig kubernetes();

    interface LlamaServer {
        /** Path (or name on PATH) of the llama-server executable. */
        @WithDefault("llama-server")
        String executable();

        /**
         * Where to fetch llama-server when {@link #executable()} is not found: a llama.cpp release {@code .zip}
         * (executable and libraries) or the bare executable, downloaded on first use like a model file
         * (mirrors, resume) into {@code <models-dir>/llama-server/} and unpacked there. Unset: not provisioned.
         */
        Optional<URI> downloadUrl();

        /** sha256 of that download; unset = recorded on first download (sha256-pins.properties) and verified after. */
        Optional<String> downloadSha256();

        /** Loopback address hosted servers listen on (--host). */
        @WithDefault("127.0.0.1")
        String host();

        /** Hosted models get ports from here upwards, one per model in catalog order. */
        @WithDefault("8091")
        int firstPort();

        /** --ctx-size (total over all slots). */
        @WithDefault("4096")
        int ctxSize();

        /** --parallel: server slots, which become the model's slots in the queue. */
        @WithDefault("2")
        int parallel();

        /** --n-gpu-layers. */
        @WithDefault("99")
        int gpuLayers();

        /** --threads; default: the host's cores. */
        Optional<Integer> threads();

        /** Further arguments appended verbatim to every hosted server. */
        Optional<List<String>> extraArgs();

        /** Server output goes to {@code <log-dir>/llama-server-<model>.log}. */
        Path logDir();

        /** After SIGTERM, wait this long for the process to exit before killing it. */
        @WithDefault("10s")
        Duration stopTimeout();
    }

    interface Hosted {
        /** GGUF model file (--model). */
        Path model();

        /** Multimodal projector (--mmproj); without one the model cannot see. */
        Optional<Path> mmproj();

        /** Display name. */
        Optional<String> name();

        /** Idle timeout of this model (default: sightline.vlm.idle-timeout). */
        Optional<Duration> idleTimeout();

        /** Slots (--parallel) of this model (default: sightline.vlm.llama-server.parallel). */
        Optional<Integer> parallel();

        /** --ctx-size of this model. */
        Optional<Integer> ctxSize();

        /** Port of this model's server (default: assigned from first-port). */
        Optional<Integer> port();

        /** Further arguments for this model's server. */
        Optional<List<String>> extraArgs();

        /** Where to download the GGUF from when {@link #model()} is missing (with model-sha256). */
        Optional<URI> modelUrl();

        /** sha256 of the GGUF; without it the digest is recorded on first download (sha256-pins.properties) and verified after. */
        Optional<String> modelSha256();

        /** Where to download the mmproj from when it is missing (with mmproj-sha256). */
        Optional<URI> mmprojUrl();

        /** sha256 of the mmproj. */
        Optional<String> mmprojSha256();

        /** Size of the GGUF in bytes (download progress total and free-disk check before it starts). */
        Optional<Long> modelSize();

        /** Size of the mmproj in bytes. */
        Optional<Long> mmprojSize();
    }

    interface Remote {
        /** API root, e.g. http://127.0.0.1:8090/v1. */
        URI baseUrl();

        /** Bearer key, if the endpoint wants one (never logged). */
        Optional<String> apiKey();

        /** Model id to send upstream (default: the first id the endpoint lists). */
        Optional<String> upstreamModel();

        /** Requests in flight at once (the endpoint's slots for us). */
        @WithDefault("2")
        int slots();

        /** Whether the endpoint can see, when neither /props nor its model listing says. */
        Optional<Boolean> vision();
    }

    interface Queue {
        /** Waiting interactive requests per model before new ones are refused (429). */
        @WithDefault("32")
        int interactiveCap();

        /** Waiting watch requests per model. */
        @WithDefault("32")
        int watchCap();

        /** Waiting batch requests per model. */
        @WithDefault("64")
        int batchCap();

        /** A waiting request this old is served in arrival order with the higher classes (no starvation). */
        @WithDefault("10s")
        Duration aging();
    }
}
