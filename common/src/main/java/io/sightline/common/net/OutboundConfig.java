package io.sightline.common.net;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * Where a service may open connections on a user's behalf (camera URLs, webhook destinations), under
 * {@code sightline.outbound}; applied by {@link OutboundAddressPolicy}.
 */
@ConfigMapping(prefix = "sightline.outbound")
public interface OutboundConfig {

    /** CIDRs (or single addresses) always allowed, ahead of the built-in refusals and denied ports, e.g. 127.0.0.0/8 for a camera on this host. */
    Optional<List<String>> allowCidrs();

    /** CIDRs (or single addresses) always refused, ahead of everything else. */
    Optional<List<String>> denyCidrs();

    /** Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7), where home cameras live; false refuses them too. */
    @WithDefault("true")
    boolean allowPrivate();

    /** Ports refused on any host: Sightline's own services and broker, so a camera URL cannot reach them. */
    @WithDefault("8080,8081,8082,8083,8084,8085,8086,8087,9092,9093,15432")
    List<Integer> deniedPorts();
}
