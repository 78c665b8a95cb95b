package io.sightline.notify.sender;

import io.sightline.notify.channel.Channel;
import io.sightline.notify.channel.ChannelType;

/** Delivers to one kind of channel; one call is one attempt, blocking, bounded by the configured timeouts. */
public interface ChannelSender {

    ChannelType type();

    /** The destination the per-destination concurrency limit counts (host:port of the receiver or broker). */
    String destination(Channel channel);

    /** How many attempts may be in flight at once to this channel's destination. */
    int maxConcurrency(Channel channel, int fallback);

    Outcome send(Channel channel, Notice notice);
}
