package io.sightline.common.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How a service makes sure the contract's topics exist before it reports ready. */
@ConfigMapping(prefix = "sightline.topics")
public interface TopicProvisioningConfig {

    /** Create missing topics at startup (local run, tests). Off on Kubernetes, where Strimzi owns topics. */
    @WithDefault("true")
    boolean provision();

    /** Replication factor for topics this service creates. */
    @WithDefault("1")
    short replicationFactor();

    /** Admin request timeout, in milliseconds. */
    @WithDefault("10000")
    int requestTimeoutMs();
}
