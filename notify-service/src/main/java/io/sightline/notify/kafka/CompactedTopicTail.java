package io.sightline.notify.kafka;

import io.quarkus.logging.Log;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Reads a compacted topic from its beginning into memory and keeps following it (no consumer group: every
 * replica sees every key). {@link #caughtUp()} turns true once everything the topic held at start has been
 * applied: until then the service is not ready, so nobody reads a half-rebuilt view.
 */
public final class CompactedTopicTail implements AutoCloseable {

    private final String topic;
    private final Map<String, Object> consumerConfig;
    private final BiConsumer<String, byte[]> apply;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;

    public CompactedTopicTail(String topic, Map<String, Object> kafkaConfig, BiConsumer<String, byte[]> apply) {
        this.topic = topic;
        this.consumerConfig = KafkaClients.consumer(kafkaConfig, "notify-tail-" + topic);
        this.apply = apply;
        this.thread = new Thread(this::run, "tail-" + topic);
        this.thread.setDaemon(true);
    }

    public CompactedTopicTail start() {
        thread.start();
        return this;
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    public boolean awaitCaughtUp(Duration within) throws InterruptedException {
        return caughtUp.await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig)) {
                consumer = c;
                List<TopicPartition> partitions = partitions(c);
                if (partitions.isEmpty()) {
                    return;
                }
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        try {
                            apply.accept(r.key(), r.value());
                        } catch (RuntimeException e) {
                            Log.warnf("%s-%d@%d (key %s) not applied: %s", r.topic(), r.partition(), r.offset(), r.key(), e.getMessage());
                        }
                    }
                    if (caughtUp.getCount() > 0 && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                        Log.infof("%s rebuilt into memory", topic);
                        caughtUp.countDown();
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    Log.warnf("following %s failed (%s); starting over", topic, e.getMessage());
                    sleepQuietly();
                }
            } finally {
                consumer = null;
            }
        }
    }

    /** Waits (polling metadata) until the topic exists: the topic provisioner may still be creating it. */
    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        while (running) {
            try {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // broker not there yet
            }
            sleepQuietly();
        }
        return List.of();
    }

    private void sleepQuietly() {
        try {
            // a plain back-off between metadata attempts of a background thread (no test waits on it)
            TimeUnit.MILLISECONDS.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
