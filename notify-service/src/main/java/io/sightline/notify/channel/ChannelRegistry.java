package io.sightline.notify.channel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.common.kafka.Topics;
import io.sightline.common.security.SecretMasker;
import io.sightline.notify.kafka.CompactedTopicTail;
import io.sightline.notify.kafka.KafkaClients;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The configured channels: the compacted topic {@code notify.channels} (key: name, tombstone: deleted) is the
 * record, this map its rebuilt copy. A change is written to the topic and acknowledged before it is applied
 * here, so an answered PUT survives a restart; other replicas see it through their tail of the topic.
 */
@ApplicationScoped
public class ChannelRegistry {

    private final Map<String, Object> kafkaConfig;
    private final ObjectMapper json;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private volatile CompactedTopicTail tail;
    private volatile KafkaProducer<String, byte[]> producer;

    ChannelRegistry(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, ObjectMapper json) {
        this.kafkaConfig = kafkaConfig;
        this.json = json;
    }

    void onStart(@Observes StartupEvent event) {
        producer = KafkaClients.producer(kafkaConfig, "notify-channels");
        tail = new CompactedTopicTail(Topics.NOTIFY_CHANNELS, kafkaConfig, this::apply).start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (tail != null) {
            tail.close();
        }
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }

    public boolean loaded() {
        return tail != null && tail.caughtUp();
    }

    public List<Channel> all() {
        return channels.values().stream().sorted(Comparator.comparing(Channel::name)).toList();
    }

    public Optional<Channel> get(String name) {
        return Optional.ofNullable(channels.get(name));
    }

    /** The channels a notification naming no channel goes to. */
    public List<Channel> defaults() {
        return all().stream().filter(Channel::isDefault).toList();
    }

    /** Stores the channel (acknowledged by the broker), then applies it. */
    public Channel put(Channel channel) {
        try {
            send(channel.name(), json.writeValueAsBytes(channel));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        channels.merge(channel.name(), channel, (old, now) -> now.updatedAt() >= old.updatedAt() ? now : old);
        Log.infof("channel %s (%s) saved: %s", channel.name(), channel.type(), SecretMasker.mask(channel.config()));
        return channel;
    }

    public boolean delete(String name) {
        if (!channels.containsKey(name)) {
            return false;
        }
        send(name, null);
        channels.remove(name);
        Log.infof("channel %s deleted", name);
        return true;
    }

    private void send(String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(Topics.NOTIFY_CHANNELS, key, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelStoreUnavailableException("interrupted while storing channel " + key);
        } catch (Exception e) {
            throw new ChannelStoreUnavailableException("channel " + key + " not stored (" + Topics.NOTIFY_CHANNELS
                    + " unavailable): " + e.getMessage());
        }
    }

    private void apply(String key, byte[] value) {
        if (key == null) {
            return;
        }
        if (value == null) {
            channels.remove(key);
            return;
        }
        try {
            Channel c = json.readValue(value, Channel.class);
            channels.merge(key, c, (old, now) -> now.updatedAt() >= old.updatedAt() ? now : old);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable channel record: " + e.getMessage(), e);
        }
    }

    /** The channel topic could not take a change: 503, nothing changed. */
    public static class ChannelStoreUnavailableException extends RuntimeException {
        public ChannelStoreUnavailableException(String message) {
            super(message);
        }
    }
}
