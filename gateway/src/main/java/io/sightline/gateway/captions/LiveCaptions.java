package io.sightline.gateway.captions;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.sightline.common.event.CaptionProduced;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.GatewayException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One consumer of {@code captions} (its own group per gateway instance, from the latest offset) fanned
 * out to every live subscriber. Each subscriber filters by camera and has a bounded buffer: a client
 * that cannot keep up loses its oldest captions (counted), never the other subscribers' or the consumer.
 */
@ApplicationScoped
public class LiveCaptions {

    /** What a subscriber receives: a caption, or a heartbeat that keeps the connection open. */
    public sealed interface Item permits Caption, Heartbeat {
    }

    public record Caption(CaptionProduced caption) implements Item {
    }

    public record Heartbeat(long at) implements Item {
    }

    private final BroadcastProcessor<CaptionProduced> broadcast = BroadcastProcessor.create();
    private final ObjectMapper json;
    private final GatewayConfig.Captions config;
    private final AtomicInteger subscribers = new AtomicInteger();
    private final Counter received;
    private final Counter unreadable;
    private final Counter dropped;

    LiveCaptions(ObjectMapper json, GatewayConfig config, MeterRegistry registry) {
        this.json = json;
        this.config = config.captions();
        this.received = Counter.builder("sightline.gateway.captions.live.received").register(registry);
        this.unreadable = Counter.builder("sightline.gateway.captions.unreadable").tag("reader", "live")
                .description("caption records that could not be parsed (skipped, left in the topic)").register(registry);
        this.dropped = Counter.builder("sightline.gateway.captions.live.overflows")
                .description("live subscribers disconnected because they fell subscriber-buffer captions behind").register(registry);
        Gauge.builder("sightline.gateway.captions.live.subscribers", subscribers, AtomicInteger::get).register(registry);
    }

    /** A record the gateway cannot read stays in the topic (history shows nothing for it); it is counted and logged. */
    @Incoming("captions")
    void receive(byte[] value) {
        if (value == null) {
            return;
        }
        CaptionProduced caption;
        try {
            caption = json.readValue(value, CaptionProduced.class);
        } catch (IOException e) {
            unreadable.increment();
            Log.warnf("Unreadable caption record skipped by the live stream: %s", e.getMessage());
            return;
        }
        received.increment();
        broadcast.onNext(caption);
    }

    /** Live captions (optionally of one camera) interleaved with heartbeats. */
    public Multi<Item> subscribe(Optional<String> camera) {
        if (subscribers.incrementAndGet() > config.maxSubscribers()) {
            subscribers.decrementAndGet();
            throw new GatewayException(503, "too_many_streams", "The gateway already serves " + config.maxSubscribers()
                    + " live caption streams; retry later", Duration.ofSeconds(10), null);
        }
        Multi<Item> captions = broadcast
                .filter(c -> camera.isEmpty() || camera.get().equals(c.camera()))
                .onOverflow().buffer(config.subscriberBuffer())
                .map(Caption::new);
        Multi<Item> heartbeats = Multi.createFrom().ticks().every(config.heartbeat())
                .onOverflow().drop()
                .map(tick -> new Heartbeat(System.currentTimeMillis()));
        return Multi.createBy().merging().streams(captions, heartbeats)
                .onTermination().invoke(subscribers::decrementAndGet)
                .onFailure().invoke(f -> dropped.increment());
    }

    public int subscribers() {
        return subscribers.get();
    }
}
