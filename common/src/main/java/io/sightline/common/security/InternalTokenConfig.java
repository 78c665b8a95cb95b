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

    /**
     * Path prefixes answered without the token besides {@code /q/health}, e.g. {@code /q/metrics} for a Prometheus
     * that scrapes by pod annotation without credentials. Empty by default: every other route needs the token.
     */
    Optional<java.util.List<String>> openPaths();

    /** Whether this service checks the token at all; only the public gateway (own API keys) turns it off. */
    @WithDefault("true")
    boolean enforced();
}
