package io.sightline.vlm.lifecycle.kubernetes;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the {@code kubernetes} hosted-model launcher: which Deployment it scales between 0 and 1
 * and the Lease that decides which vlm-service replica may do so. Documented in docs/deploy.md.
 */
public interface KubernetesLauncherConfig {

    /** API root of the scaled server through its Service, e.g. http://llama-server:8080/v1. */
    @WithDefault("http://llama-server:8080/v1")
    java.net.URI baseUrl();

    /** Name of the llama-server Deployment to scale (its {@code scale} subresource). */
    @WithDefault("llama-server")
    String deployment();

    /** Namespace of the Deployment and the Lease; defaults to the pod's own namespace. */
    Optional<String> namespace();

    /** Name of the coordination.k8s.io Lease that elects the one replica allowed to scale. */
    @WithDefault("vlm-model-launcher")
    String leaseName();

    /** This replica's identity in the Lease; defaults to the pod name (HOSTNAME). */
    Optional<String> identity();

    /** How long a Lease holder is leader without renewing before another replica may take over. */
    @WithDefault("15s")
    Duration leaseDuration();

    /** How long the leader keeps trying to renew before it gives up leadership. */
    @WithDefault("10s")
    Duration renewDeadline();

    /** Interval between acquire/renew attempts. */
    @WithDefault("2s")
    Duration retryPeriod();

    /** How long {@code stop()} waits for the Deployment to report no pods left before failing. */
    @WithDefault("120s")
    Duration stopTimeout();

    /** Interval at which {@code stop()} polls the scale subresource. */
    @WithDefault("1s")
    Duration pollInterval();
}
