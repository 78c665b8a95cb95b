package io.sightline.common.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** The internal token every internal service requires, under {@code sightline.internal}. */
@ConfigMapping(prefix = "sightline.internal")
public interface InternalTokenConfig {

    /**
     * Bearer token required on every route but {@code /q/health/*} (env SIGHTLINE_INTERNAL_TOKEN). Unset outside
     * dev/test: every such route answers 503 (fail closed); unset in dev/test: routes are open.
     */
    Optional<String> token();

    /** Whether this service checks the token at all; only the public gateway (own API keys) turns it off. */
    @WithDefault("true")
    boolean enforced();
}
