package io.sightline.testsupport;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** Plain Kafka clients against the test broker: what any external producer or consumer would do. */
public final class TestKafka {

    private static volatile KafkaProducer<String, byte[]> producer;

    private TestKafka() {
    }

    public static KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            synchronized (TestKafka.class) {
                if (producer == null) {
                    Properties props = new Properties();
                    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers());
                    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
                    props.put(ProducerConfig.ACKS_CONFIG, "all");
                    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 * 1024 * 1024));
                    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
                    producer = new KafkaProducer<>(props);
                }
            }
        }
        return producer;
    }

    /** Sends a record with explicit headers and waits for the broker's acknowledgement. */
    public static RecordMetadata send(String topic, String key, byte[] value, Headers headers) {
        try {
            return producer().send(new ProducerRecord<>(topic, null, key, value, headers)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not send to " + topic, e);
        }
    }

    /** Publishes a frame exactly as the topic contract describes, as a plain producer would. */
    public static CapturedFrame sendFrame(String camera, byte[] image, int width, int height) {
        String contentType = FrameRecordCodec.sniffContentType(image);
        CapturedFrame frame = new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, System.currentTimeMillis(),
                width, height, contentType == null ? CapturedFrame.JPEG : contentType, 1, 1.0, image);
        send("frames", camera, image, FrameRecordCodec.toHeaders(frame));
        return frame;
    }

    /** Waits until the topic exists (services provision topics at startup) and returns its partitions. */
    public static List<TopicPartitionInfo> awaitTopic(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            TopicDescription[] found = new TopicDescription[1];
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                found[0] = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                return found[0] != null;
            });
            return found[0].partitions();
        }
    }

    /** Topic-level configs as the broker reports them. */
    public static Map<String, String> topicConfig(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            var resource = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            java.util.Map<String, String> out = new java.util.HashMap<>();
            config.entries().forEach(e -> out.put(e.name(), e.value()));
            return out;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
