package io.sightline.latest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica that starts after its cameras went quiet: with the rebuild it knows the last frame of every camera
 * (several cameras per partition), without it nothing. Real broker, real consumer, the feed's own code.
 */
class LatestStateRebuildTest {

    private static final List<String> CAMERAS = List.of("quiet-a-" + UUID.randomUUID(), "quiet-b-" + UUID.randomUUID(),
            "quiet-c-" + UUID.randomUUID(), "quiet-d-" + UUID.randomUUID(), "quiet-e-" + UUID.randomUUID());
    private static final Map<String, UUID> LAST = new java.util.HashMap<>();

    @BeforeAll
    static void camerasSentTheirLastFramesBeforeTheReplicaStarts() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            if (!admin.listTopics().names().get().contains(Topics.FRAMES)) {
                admin.createTopics(List.of(new NewTopic(Topics.FRAMES, 2, (short) 1))).all().get();
            }
        }
        byte[] jpeg = TestImages.encodeJpeg(TestImages.scene(64, 48, Color.GRAY, 10, 10), 0.9f);
        for (String camera : CAMERAS) {
            TestKafka.sendFrame(camera, jpeg, 64, 48);
            LAST.put(camera, TestKafka.sendFrame(camera, jpeg, 64, 48).frameId());
        }
    }

    @Test
    void aFreshReplicaKnowsTheLastFrameOfEveryQuietCamera() {
        LatestFrameCache cache = replicaStarts(true);
        for (String camera : CAMERAS) {
            Optional<CapturedFrame> frame = cache.frame(camera);
            assertThat(frame).as(camera).isPresent();
            assertThat(frame.get().frameId()).as("the newest of the camera's frames").isEqualTo(LAST.get(camera));
        }
    }

    @Test
    void withoutTheRebuildAFreshReplicaKnowsNoneOfThem() {
        LatestFrameCache cache = replicaStarts(false);
        assertThat(CAMERAS).noneMatch(cache::knows);
    }

    private static LatestFrameCache replicaStarts(boolean rebuild) {
        LatestStateConfig config = config(rebuild);
        LatestFrameCache cache = new LatestFrameCache(CacheLimits.from(config), Clock.systemUTC(), new SimpleMeterRegistry());
        FeedAssignments assignments = new FeedAssignments(config);
        LatestStateFeed feed = new LatestStateFeed(cache, new ObjectMapper(), assignments);
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "rebuild-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(Topics.FRAMES), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assignments.onPartitionsRevoked(consumer, partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignments.onPartitionsAssigned(consumer, partitions);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    feed.onFrame(record);
                }
                return assignments.owns(Topics.FRAMES) && assignments.rebuildDone();
            });
            // a little longer, so "knows nothing" is not just "has not read yet"
            long until = System.currentTimeMillis() + 500;
            while (System.currentTimeMillis() < until) {
                consumer.poll(Duration.ofMillis(100)).forEach(feed::onFrame);
            }
        }
        return cache;
    }

    private static LatestStateConfig config(boolean rebuild) {
        return new LatestStateConfig() {
            public int maxFrameBytes() { return 1 << 20; }
            public Duration frameTtl() { return Duration.ofMinutes(5); }
            public Duration cameraTtl() { return Duration.ofHours(24); }
            public int maxCameras() { return 256; }
            public int maxSide() { return 1024; }
            public int jpegQuality() { return 85; }
            public Duration sweepInterval() { return Duration.ofSeconds(10); }
            public Rebuild rebuild() {
                return new Rebuild() {
                    public boolean enabled() { return rebuild; }
                    public Duration lookback() { return Duration.ofHours(1); }
                    public int maxRecords() { return 2000; }
                    public Duration timeout() { return Duration.ofSeconds(60); }
                };
            }
        };
    }
}
