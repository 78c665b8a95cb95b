package io.sightline.testsupport;

import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one real Kafka broker of a test JVM. With a Docker engine it is Testcontainers' Kafka; without
 * (this project's CI), an in-JVM single-node KRaft broker+controller from kafka-test-common-runtime,
 * metadata version pinned to {@code latestProduction()}. Started on first use, stopped when the JVM exits.
 */
public final class TestBroker {

    private static final Logger LOG = Logger.getLogger(TestBroker.class.getName());
    /** Large enough for frames (see Topics.MAX_FRAME_BYTES) plus headers. */
    private static final String MAX_MESSAGE_BYTES = Integer.toString(8 * 1024 * 1024);

    private static volatile Running running;

    private TestBroker() {
    }

    /** Bootstrap servers of the JVM-wide broker, starting it on first call. */
    public static String bootstrapServers() {
        Running current = running;
        if (current == null) {
            synchronized (TestBroker.class) {
                current = running;
                if (current == null) {
                    current = start();
                    running = current;
                    Running toStop = current;
                    Runtime.getRuntime().addShutdownHook(new Thread(toStop::close, "test-broker-stop"));
                }
            }
        }
        return current.bootstrapServers();
    }

    private static Running start() {
        quietKafkaLogs();
        if (!Boolean.getBoolean("sightline.test.in-jvm-kafka") && DockerProbe.dockerAvailable()) {
            return ContainerBroker.start(MAX_MESSAGE_BYTES);
        }
        return InJvmBroker.start();
    }

    private static void quietKafkaLogs() {
        for (String category : new String[] {"kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper"}) {
            Logger.getLogger(category).setLevel(Level.WARNING);
        }
    }

    interface Running extends AutoCloseable {
        String bootstrapServers();

        @Override
        void close();
    }

    private record InJvmBroker(KafkaClusterTestKit cluster) implements Running {

        static InJvmBroker start() {
            long t0 = System.nanoTime();
            // Kafka exits or halts the process on a fatal broker fault (e.g. a log dir failing while the JVM
            // shuts down with everything else). In a test JVM that would end a green run with a non-zero exit
            // ("Error occurred in starting fork"); a real fault still shows as failing tests.
            Exit.setExitProcedure((code, message) -> LOG.warning(() -> "in-JVM Kafka broker asked to exit " + code + ": " + message));
            Exit.setHaltProcedure((code, message) -> LOG.warning(() -> "in-JVM Kafka broker asked to halt " + code + ": " + message));
            try {
                TestKitNodes nodes = new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                        .build();
                KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("auto.create.topics.enable", "false")
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                        .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("num.partitions", "1")
                        .setConfigProp("message.max.bytes", MAX_MESSAGE_BYTES)
                        .setConfigProp("replica.fetch.max.bytes", MAX_MESSAGE_BYTES)
                        .setConfigProp("log.flush.interval.messages", "1000000")
                        .build();
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                LOG.info(() -> "In-JVM Kafka broker ready at " + cluster.bootstrapServers() + " in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
                return new InJvmBroker(cluster);
            } catch (Exception e) {
                throw new IllegalStateException("could not start the in-JVM Kafka broker", e);
            }
        }

        @Override
        public String bootstrapServers() {
            return cluster.bootstrapServers();
        }

        @Override
        public void close() {
            try {
                cluster.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "in-JVM Kafka broker did not stop cleanly", e);
            }
        }
    }
}
