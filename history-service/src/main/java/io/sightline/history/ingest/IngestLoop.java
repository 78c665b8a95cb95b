package io.sightline.history.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.common.kafka.Topics;
import io.sightline.history.config.HistoryConfig;
import io.sightline.history.disk.DiskGuard;
import io.sightline.history.retention.RetentionJob;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ingest consumer: one thread, one consumer in group {@code sightline.history.ingest.group-id}
 * subscribed to captions, detections, notifications, vlm.lifecycle, frames (thumbnails) and watch.jobs.
 * <p>
 * The rule: a poll is decoded, its poison records set aside, the rest written in one transaction
 * ({@link HistoryWriter}); the dead letters are sent to history.dlq (acknowledged by the broker);
 * only then are the poll's offsets committed. When the database is unavailable the transaction rolls
 * back, the consumer seeks back to the poll's first offsets and pauses every partition, probing the
 * database every {@code retry-backoff} while it keeps polling (so it stays in the group); nothing is
 * committed meanwhile, so nothing is lost, and it resumes where it stopped when the database answers.
 * A batch that fails while the database answers (a record the database refuses) is retried record
 * by record and the refused ones go to history.dlq.
 */
@ApplicationScoped
public class IngestLoop {

    public static final List<String> TOPICS = List.of(Topics.CAPTIONS, Topics.DETECTIONS, Topics.NOTIFICATIONS,
            Topics.VLM_LIFECYCLE, Topics.FRAMES, Topics.WATCH_JOBS);

    /** What the loop is doing, for readiness and logs. */
    public enum State { STARTING, RUNNING, DATABASE_DOWN, DISK_FULL, STOPPED }

    /** How a poll went: stored, not stored because the database is unavailable, or because its disk is (nearly) full. */
    private enum Outcome { STORED, DATABASE_DOWN, DISK_FULL }

    private final HistoryConfig.Ingest config;
    private final Map<String, Object> kafkaConfig;
    private final HistoryWriter writer;
    private final RecordDecoder decoder;
    private final DiskGuard disk;
    private final RetentionJob retention;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final Counter stored;
    private final Counter deadLettered;
    private final Timer batchTimer;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    IngestLoop(HistoryConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, HistoryWriter writer,
               ObjectMapper json, MeterRegistry registry, DiskGuard disk, RetentionJob retention) {
        this.config = config.ingest();
        this.disk = disk;
        this.retention = retention;
        this.kafkaConfig = kafkaConfig;
        this.writer = writer;
        this.decoder = new RecordDecoder(json, config.ingest().thumbnails(), config.ingest().thumbnailMaxSide(),
                config.ingest().thumbnailQuality());
        this.stored = Counter.builder("sightline.history.ingest.records").tag("outcome", "stored")
                .description("Records written to the database (replays included)").register(registry);
        this.deadLettered = Counter.builder("sightline.history.ingest.records").tag("outcome", "dead_lettered")
                .description("Records sent to history.dlq").register(registry);
        this.batchTimer = Timer.builder("sightline.history.ingest.batch").description("Writing one poll to the database")
                .register(registry);
    }

    public State state() {
        return state.get();
    }

    public String lastError() {
        return lastError.get();
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "history-ingest");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig());
             KafkaProducer<String, byte[]> dlq = new KafkaProducer<>(producerConfig())) {
            consumer = c;
            c.subscribe(TOPICS, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    writer.reset(); // another replica may own these cameras' episodes now
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (state.get() == State.DATABASE_DOWN || state.get() == State.DISK_FULL) {
                        c.pause(partitions);
                    }
                }
            });
            state.set(State.RUNNING);
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(config.pollTimeout());
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    switch (process(records, dlq)) {
                        case STORED -> c.commitSync(nextOffsets(records));
                        case DATABASE_DOWN -> waitForDatabase(c, records);
                        case DISK_FULL -> waitForSpace(c, records);
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException | IllegalStateException e) {
                    // a commit lost to a rebalance, a dead letter the broker did not take: nothing is lost,
                    // the uncommitted records come again (here or at the partitions' new owner) and are idempotent
                    Log.warnf("ingest batch not committed (%s); it will be read again", e.getMessage());
                    rewind(c, records);
                    c.pause(c.assignment());
                    c.poll(config.retryBackoff()); // back off without leaving the group
                    c.resume(c.paused());
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException | Error e) {
            Log.errorf(e, "history ingest stopped: %s", e.getMessage());
            lastError.set(e.getMessage());
        } finally {
            state.set(State.STOPPED);
            consumer = null;
        }
    }

    /** Writes the poll; nothing of it is kept unless STORED. */
    private Outcome process(ConsumerRecords<String, byte[]> records, KafkaProducer<String, byte[]> dlq) {
        Optional<String> pressure = disk.pressure();
        if (pressure.isPresent()) {
            lastError.set(pressure.get());
            return Outcome.DISK_FULL;
        }
        IngestBatch batch = new IngestBatch();
        List<ConsumerRecord<String, byte[]>> good = new ArrayList<>();
        List<Object> decoded = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                Object value = decoder.decode(r);
                batch.add(value);
                good.add(r);
                decoded.add(value);
            } catch (RecordDecoder.PoisonRecord e) {
                dead.add(new DeadLetter(r, e.getMessage(), e.getCause()));
            }
        }
        try {
            Timer.Sample sample = Timer.start();
            writer.write(batch);
            sample.stop(batchTimer);
            stored.increment(batch.size());
        } catch (SQLException | RuntimeException e) {
            if (diskFull(e)) {
                return Outcome.DISK_FULL;
            }
            if (unavailable(e)) {
                return Outcome.DATABASE_DOWN;
            }
            Log.warnf("a batch of %d records failed while the database answers (%s); storing them one by one", batch.size(), e.getMessage());
            for (int i = 0; i < good.size(); i++) {
                try {
                    writer.write(new IngestBatch().add(decoded.get(i)));
                    stored.increment();
                } catch (SQLException | RuntimeException single) {
                    if (diskFull(single)) {
                        return Outcome.DISK_FULL;
                    }
                    if (unavailable(single)) {
                        return Outcome.DATABASE_DOWN;
                    }
                    dead.add(new DeadLetter(good.get(i), "the database refused the record: " + single.getMessage(), single));
                }
            }
        }
        for (DeadLetter d : dead) {
            send(dlq, d);
        }
        deadLettered.increment(dead.size());
        if (state.get() != State.RUNNING) {
            state.set(State.RUNNING);
        }
        return Outcome.STORED;
    }

    /** SQLSTATE 53100 disk_full: the server could not extend a file. Handled as the guard's pause, not as the database down. */
    private boolean diskFull(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && "53100".equals(sql.getSQLState())) {
                lastError.set("disk full: the database could not write (SQLSTATE 53100): " + firstLine(sql.getMessage()));
                return true;
            }
        }
        return false;
    }

    /**
     * The disk is (nearly) full: the poll is not stored and not committed (it is read again), every partition pauses,
     * the retention job deletes the oldest data at once, and ingest resumes by itself when the guard sees room again. The
     * retention pass repeats every {@code retry-backoff} while there is still no room (each deletes more of the oldest).
     */
    private void waitForSpace(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        state.set(State.DISK_FULL);
        writer.reset();
        Log.warnf("%s: ingest paused, offsets not committed; retention frees the oldest data", lastError.get());
        rewind(c, records);
        c.pause(c.assignment());
        while (running) {
            try {
                long wanted = disk.bytesToFree();
                if (wanted > 0) {
                    retention.freeSpace(wanted);
                }
            } catch (SQLException | RuntimeException e) {
                Log.warnf("emergency retention failed: %s", e.getMessage());
            }
            Optional<String> still = disk.measure();
            if (still.isEmpty() && writer.databaseAnswers()) {
                break;
            }
            still.ifPresent(lastError::set);
            c.poll(config.retryBackoff()); // paused: returns nothing, keeps the membership
        }
        c.resume(c.paused());
        Log.info("disk has room again: ingest resumes from the last committed records");
        state.set(State.RUNNING);
        lastError.set(null);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private boolean unavailable(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String s = sql.getSQLState();
                // connection exception, insufficient resources (disk full), operator intervention (shutdown)
                if (s.startsWith("08") || s.startsWith("53") || s.startsWith("57")) {
                    lastError.set(sql.getMessage());
                    return true;
                }
            }
        }
        boolean down = !writer.databaseAnswers();
        if (down) {
            lastError.set(e.getMessage());
        }
        return down;
    }

    private void waitForDatabase(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        state.set(State.DATABASE_DOWN);
        writer.reset();
        Log.warnf("database unavailable (%s): ingest paused, offsets not committed; retrying every %d ms",
                lastError.get(), config.retryBackoff().toMillis());
        rewind(c, records);
        c.pause(c.assignment());
        while (running && !writer.databaseAnswers()) {
            c.poll(config.retryBackoff()); // paused: returns nothing, keeps the membership
        }
        c.resume(c.paused());
        Log.info("database answers again: ingest resumes from the last committed records");
        state.set(State.RUNNING);
        lastError.set(null);
    }

    /** Back to the poll's first offsets on the partitions still assigned: they are read again. */
    private static void rewind(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            if (c.assignment().contains(tp)) {
                c.seek(tp, records.records(tp).get(0).offset());
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private record DeadLetter(ConsumerRecord<String, byte[]> record, String reason, Throwable cause) {
    }

    private static void send(KafkaProducer<String, byte[]> dlq, DeadLetter d) {
        ConsumerRecord<String, byte[]> r = d.record();
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        headers.add("dead-letter-reason", utf8(d.reason()));
        if (d.cause() != null) {
            headers.add("dead-letter-cause", utf8(d.cause().getClass().getName() + ": " + d.cause().getMessage()));
        }
        headers.add("dead-letter-topic", utf8(r.topic()));
        headers.add("dead-letter-partition", utf8(Integer.toString(r.partition())));
        headers.add("dead-letter-offset", utf8(Long.toString(r.offset())));
        try {
            dlq.send(new ProducerRecord<>(Topics.HISTORY_DLQ, null, r.key(), r.value(), headers)).get(30, TimeUnit.SECONDS);
            Log.warnf("record %s-%d@%d (key %s) to %s: %s", r.topic(), r.partition(), r.offset(), r.key(), Topics.HISTORY_DLQ, d.reason());
        } catch (Exception e) {
            // not committed either: the poll is redelivered and the record dead-lettered again
            throw new IllegalStateException("could not send a dead letter to " + Topics.HISTORY_DLQ + ": " + e.getMessage(), e);
        }
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> props = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        config.instanceId().filter(id -> !id.isBlank()).ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "history-ingest-" + ProcessHandle.current().pid());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> props = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }
}
