package io.sightline.notify.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.common.kafka.Topics;
import io.sightline.notify.kafka.KafkaClients;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code notifications.dlq}: a notification a channel gave up on (or a record that could not be read), with
 * {@code dead-letter-reason}, {@code dead-letter-channel}, {@code dead-letter-channel-type} and
 * {@code dead-letter-attempts} headers. Sent and acknowledged before the delivery is recorded as failed.
 */
@ApplicationScoped
public class DeadLetters {

    private final Map<String, Object> kafkaConfig;
    private final ObjectMapper json;
    private final Counter sent;
    private volatile KafkaProducer<String, byte[]> producer;

    DeadLetters(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, ObjectMapper json, MeterRegistry registry) {
        this.kafkaConfig = kafkaConfig;
        this.json = json;
        this.sent = Counter.builder("sightline.notify.dead_letters").description("Records sent to notifications.dlq").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        producer = KafkaClients.producer(kafkaConfig, "notify-dlq");
    }

    void onStop(@Observes ShutdownEvent event) {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** A notification a channel gave up on. */
    public void gaveUp(Object notification, String key, String channel, String type, int attempts, String reason) {
        RecordHeaders headers = new RecordHeaders();
        header(headers, "dead-letter-reason", reason);
        header(headers, "dead-letter-channel", channel);
        header(headers, "dead-letter-channel-type", type);
        header(headers, "dead-letter-attempts", Integer.toString(attempts));
        header(headers, "dead-letter-topic", Topics.NOTIFICATIONS);
        try {
            send(key, json.writeValueAsBytes(notification), headers);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Log.warnf("notification %s to %s (%s) dead-lettered after %d attempts: %s", key, channel, type, attempts, reason);
    }

    /** A record of {@code notifications} that is not a notification. */
    public void unreadable(String key, byte[] value, org.apache.kafka.common.header.Headers original, String reason,
                           int partition, long offset) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        header(headers, "dead-letter-reason", reason);
        header(headers, "dead-letter-topic", Topics.NOTIFICATIONS);
        header(headers, "dead-letter-partition", Integer.toString(partition));
        header(headers, "dead-letter-offset", Long.toString(offset));
        send(key, value, headers);
        Log.warnf("record notifications-%d@%d (key %s) dead-lettered: %s", partition, offset, key, reason);
    }

    private void send(String key, byte[] value, RecordHeaders headers) {
        try {
            producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS_DLQ, null, key, value, headers)).get(30, TimeUnit.SECONDS);
            sent.increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateStore.StateUnavailableException("interrupted sending a dead letter", e);
        } catch (Exception e) {
            throw new StateStore.StateUnavailableException(Topics.NOTIFICATIONS_DLQ + " did not take a dead letter: " + e.getMessage(), e);
        }
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
}
