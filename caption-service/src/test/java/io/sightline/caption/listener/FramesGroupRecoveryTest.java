package io.sightline.caption.listener;

import io.sightline.testsupport.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14 item 7: caption-service killed with SIGKILL and restarted must resume its {@code frames}
 * partitions within 10 s, not after the dead member's session times out (45 s by default). The member
 * settings come from caption-service's own application.properties (channel {@code frames}); the killed
 * member runs in a JVM of its own.
 */
class FramesGroupRecoveryTest {

    private static final String PREFIX = "mp.messaging.incoming.frames.";

    @Test
    void aKilledAndRestartedReplicaGetsItsPartitionsBackWithinTenSeconds() throws Exception {
        Map<String, String> member = frameChannelMemberSettings("replica-" + UUID.randomUUID());
        String topic = "frames-recovery-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }

        Process crashed = startMember(topic, member);
        try {
            awaitAssigned(crashed);
        } finally {
            crashed.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no LeaveGroup, no commit
        }

        Properties props = new Properties();
        props.putAll(member);
        long restarted = System.nanoTime();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            await("partitions of the restarted replica").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200));
                        return consumer.assignment().size() == 3;
                    });
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restarted);
        assertThat(seconds).as("seconds until the restarted replica owned its partitions").isLessThan(10);
    }

    /** The consumer settings of channel frames that decide group membership, resolved for one replica id. */
    private static Map<String, String> frameChannelMemberSettings(String replicaId) throws IOException {
        Properties app = new Properties();
        try (InputStream in = FramesGroupRecoveryTest.class.getResourceAsStream("/application.properties")) {
            app.load(in);
        }
        Map<String, String> props = new HashMap<>();
        for (String key : app.stringPropertyNames()) {
            if (key.startsWith(PREFIX)) {
                String kafkaKey = key.substring(PREFIX.length());
                if (ConsumerConfig.configNames().contains(kafkaKey) && !kafkaKey.endsWith("deserializer")) {
                    props.put(kafkaKey, app.getProperty(key)
                            .replace("${SIGHTLINE_REPLICA_ID:${sightline.replica-id}}", replicaId));
                }
            }
        }
        assertThat(props).containsKey(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, props.get(ConsumerConfig.GROUP_ID_CONFIG) + "-" + UUID.randomUUID());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    private static Process startMember(String topic, Map<String, String> props) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), GroupMemberProcess.class.getName(), topic));
        props.forEach((k, v) -> command.add(k + "=" + v));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void awaitAssigned(Process process) throws Exception {
        CompletableFuture<Boolean> assigned = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ASSIGNED")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(assigned.get(60, TimeUnit.SECONDS)).as("the first member got partitions").isTrue();
    }
}
