package io.sightline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.common.kafka.TopicSpec;
import io.sightline.common.kafka.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each service's KafkaUser grants what its Kafka channels need (application.properties) and the
 * manifests wire each service to its own user's credentials.
 */
class KafkaAccessDriftTest {

    static java.util.stream.Stream<String[]> overlaysAndServices() {
        return ServiceDriftTest.overlaysAndServices();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void aclsCoverEveryChannelOfTheService(String overlay, String service) {
        JsonNode acls = Manifests.get(overlay, "KafkaUser", service).path("spec").path("authorization").path("acls");
        List<String> missing = new ArrayList<>();
        for (ServiceConfig.Channel channel : ServiceConfig.of(service).channels()) {
            if (channel.incoming()) {
                require(acls, "topic", channel.topic(), "Read", missing);
                String group = channel.groupId().replaceAll("\\$\\{.*$", "");
                require(acls, "group", group, "Read", missing);
            } else {
                require(acls, "topic", channel.topic(), "Write", missing);
            }
            if (channel.deadLetterTopic() != null) {
                require(acls, "topic", channel.deadLetterTopic(), "Write", missing);
            }
        }
        assertThat(missing).as(service + " cannot do what its channels do").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void aclsNameOnlyContractTopicsAndLiteralTopicPatterns(String overlay) {
        List<String> names = Topics.ALL.stream().map(TopicSpec::name).toList();
        for (JsonNode user : Manifests.ofKind(overlay, "KafkaUser")) {
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                if (acl.path("resource").path("type").asText().equals("topic")) {
                    assertThat(acl.path("resource").path("name").asText()).as(Manifests.id(user)).isIn(names);
                    assertThat(acl.path("resource").path("patternType").asText("literal")).isEqualTo("literal");
                }
                assertThat(acl.path("operations").findValuesAsText("")).doesNotContain("All");
                assertThat(acl.path("operations").toString()).doesNotContain("\"All\"", "\"Alter\"", "\"Create\"", "\"Delete\"");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void serviceLogsInAsItsOwnKafkaUserOverTls(String overlay, String service) {
        JsonNode container = Manifests.containers(Manifests.get(overlay, "Deployment", service)).get(0);
        JsonNode jaas = null;
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                jaas = e.path("valueFrom").path("secretKeyRef");
            }
        }
        assertThat(jaas).as("KAFKA_SASL_JAAS_CONFIG of " + service).isNotNull();
        assertThat(jaas.path("name").asText()).isEqualTo(service);
        assertThat(jaas.path("key").asText()).isEqualTo("sasl.jaas.config");
        var env = ServiceDriftTest.environment(overlay, container);
        assertThat(env).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL").containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        JsonNode listener = Manifests.get(overlay, "Kafka", "sightline").path("spec").path("kafka").path("listeners").get(0);
        assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("sightline-kafka-bootstrap:" + listener.path("port").asInt());
        assertThat(listener.path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
        assertThat(env).containsEntry("SIGHTLINE_TOPICS_PROVISION", "false");
    }

    private static void require(JsonNode acls, String type, String name, String operation, List<String> missing) {
        for (JsonNode acl : acls) {
            JsonNode resource = acl.path("resource");
            boolean matches = resource.path("type").asText().equals(type)
                    && (resource.path("patternType").asText("literal").equals("prefix")
                    ? name.startsWith(resource.path("name").asText()) : name.equals(resource.path("name").asText()));
            if (matches && acl.path("operations").toString().contains("\"" + operation + "\"")) {
                return;
            }
        }
        missing.add(operation + " on " + type + " " + name);
    }
}
