package io.sightline.gateway.captions;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.kafka.Topics;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.GatewayException;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caption history read from the {@code captions} topic itself (its retention is the history window).
 * No consumer group: each query assigns the partitions, finds the offset range for [since, until] with
 * {@code offsetsForTimes}, and reads backwards in growing windows until it has the newest {@code limit}
 * matching captions per partition; the partitions' results are merged newest first. Blocking: call
 * from a worker thread. The time of a caption is its record timestamp (when caption-service published it).
 */
@ApplicationScoped
public class CaptionHistory {

    /** A page of captions, newest first. {@code truncated}: the scan stopped at its bound, older matches may exist. */
    public record Page(List<CaptionProduced> captions, int count, int limit, Long since, Long until, boolean truncated) {
    }

    private record Found(long timestamp, int partition, long offset, CaptionProduced caption) {
    }

    private final GatewayConfig.Captions config;
    private final Map<String, Object> kafkaConfig;
    private final ObjectMapper json;
    private final Semaphore permits;
    private final Counter unreadable;
    private final Timer queryTimer;
    private final AtomicLong clientIds = new AtomicLong();

    CaptionHistory(GatewayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            ObjectMapper json, MeterRegistry registry) {
        this.config = config.captions();
        this.kafkaConfig = kafkaConfig;
        this.json = json;
        this.permits = new Semaphore(this.config.concurrentQueries(), true);
        this.unreadable = Counter.builder("sightline.gateway.captions.unreadable").tag("reader", "history")
                .description("caption records that could not be parsed (skipped, left in the topic)").register(registry);
        this.queryTimer = Timer.builder("sightline.gateway.captions.history.query").publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    @WithSpan("captions.history")
    public Page query(Optional<String> camera, Optional<Instant> since, Optional<Instant> until, int limit) {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GatewayException.unavailable("caption history", "interrupted", e);
        }
        if (!acquired) {
            throw new GatewayException(503, "busy", "Too many caption history queries at once; retry shortly",
                    Duration.ofSeconds(1), null);
        }
        Timer.Sample sample = Timer.start();
        try (KafkaConsumer<String, byte[]> consumer = newConsumer()) {
            return read(consumer, camera, since, until, limit);
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException e) {
            Log.warnf("Caption history query failed: %s", e.toString());
            throw GatewayException.unavailable("Kafka", e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            sample.stop(queryTimer);
            permits.release();
        }
    }

    private Page read(KafkaConsumer<String, byte[]> consumer, Optional<String> camera, Optional<Instant> since,
            Optional<Instant> until, int limit) {
        long deadline = System.nanoTime() + config.queryTimeout().toNanos();
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.CAPTIONS, config.queryTimeout());
        if (infos == null || infos.isEmpty()) {
            throw GatewayException.unavailable("Kafka", "topic " + Topics.CAPTIONS + " does not exist yet", null);
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions, config.queryTimeout());
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, config.queryTimeout());
        Map<TopicPartition, Long> lower = new HashMap<>(beginning);
        Map<TopicPartition, Long> upper = new HashMap<>(end);
        since.ifPresent(t -> offsetsAt(consumer, partitions, t.toEpochMilli(), end).forEach(lower::put));
        until.ifPresent(t -> offsetsAt(consumer, partitions, t.toEpochMilli() + 1, end).forEach(upper::put));

        long sinceMs = since.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
        long untilMs = until.map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        List<Found> found = new ArrayList<>();
        long scanned = 0;
        boolean truncated = false;
        for (TopicPartition tp : partitions) {
            long lo = lower.get(tp);
            long hi = upper.get(tp);
            int matches = 0;
            long window = Math.max(64, limit * 2L);
            while (hi > lo && matches < limit) {
                if (scanned >= config.maxScannedRecords() || System.nanoTime() > deadline) {
                    truncated = true;
                    break;
                }
                long from = Math.max(lo, hi - window);
                consumer.assign(List.of(tp));
                consumer.seek(tp, from);
                List<Found> windowFound = new ArrayList<>();
                while (consumer.position(tp) < hi && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        if (record.offset() >= hi) {
                            continue;
                        }
                        scanned++;
                        if (record.timestamp() < sinceMs || record.timestamp() > untilMs) {
                            continue;
                        }
                        if (camera.isPresent() && record.key() != null && !camera.get().equals(record.key())) {
                            continue;
                        }
                        CaptionProduced caption = parse(record);
                        if (caption == null || (camera.isPresent() && !camera.get().equals(caption.camera()))) {
                            continue;
                        }
                        windowFound.add(new Found(record.timestamp(), tp.partition(), record.offset(), caption));
                    }
                }
                if (consumer.position(tp) < hi) {
                    truncated = true;
                }
                found.addAll(windowFound);
                matches += windowFound.size();
                hi = from;
                window *= 2;
            }
        }
        List<CaptionProduced> newest = found.stream()
                .sorted(Comparator.comparingLong(Found::timestamp).thenComparingLong(Found::offset).reversed())
                .limit(limit)
                .map(Found::caption)
                .toList();
        return new Page(newest, newest.size(), limit, since.map(Instant::toEpochMilli).orElse(null),
                until.map(Instant::toEpochMilli).orElse(null), truncated);
    }

    /** First offset at or after {@code timestamp} per partition; the end offset where there is none. */
    private Map<TopicPartition, Long> offsetsAt(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions,
            long timestamp, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, timestamp));
        Map<TopicPartition, OffsetAndTimestamp> result = consumer.offsetsForTimes(query, config.queryTimeout());
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = result.get(tp);
            offsets.put(tp, at == null ? end.get(tp) : at.offset());
        }
        return offsets;
    }

    private CaptionProduced parse(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return json.readValue(record.value(), CaptionProduced.class);
        } catch (IOException e) {
            unreadable.increment();
            Log.debugf("Unreadable caption at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> props = new HashMap<>();
        for (Map.Entry<String, Object> e : kafkaConfig.entrySet()) {
            if (ConsumerConfig.configNames().contains(e.getKey())) {
                props.put(e.getKey(), e.getValue());
            }
        }
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-caption-history-" + clientIds.incrementAndGet());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props);
    }
}
