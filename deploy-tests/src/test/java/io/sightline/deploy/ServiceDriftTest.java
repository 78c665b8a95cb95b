package io.sightline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ports, probe paths and environment variable names in the manifests are the ones the services use:
 * read from each module's application.properties and config mappings as they are in the repository.
 */
class ServiceDriftTest {

    static Stream<String[]> overlaysAndServices() {
        return Manifests.OVERLAYS.stream().flatMap(o -> Manifests.SERVICES.stream().map(s -> new String[] {o, s}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void containerAndServicePortAreTheServicesHttpPort(String overlay, String service) {
        JsonNode container = Manifests.containers(Manifests.get(overlay, "Deployment", service)).get(0);
        Map<String, String> env = environment(overlay, container);
        int port = Optional.ofNullable(env.get("QUARKUS_HTTP_PORT")).map(Integer::parseInt)
                .orElse(ServiceConfig.of(service).httpPort());

        assertThat(container.path("ports").get(0).path("name").asText()).isEqualTo("http");
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).as(service + " listens on").isEqualTo(port);
        JsonNode servicePort = Manifests.get(overlay, "Service", service).path("spec").path("ports").get(0);
        assertThat(servicePort.path("targetPort").asText()).isEqualTo("http");
        assertThat(servicePort.path("port").asInt()).isEqualTo(port);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void probesUseTheQuarkusHealthEndpointsOnTheHttpPort(String overlay, String service) {
        ServiceConfig config = ServiceConfig.of(service);
        assertThat(config.properties).as(service + " moves the health endpoints")
                .doesNotContainKeys("quarkus.smallrye-health.root-path", "quarkus.http.non-application-root-path",
                        "quarkus.smallrye-health.liveness-path", "quarkus.smallrye-health.readiness-path",
                        "quarkus.management.enabled", "quarkus.http.root-path");
        JsonNode container = Manifests.containers(Manifests.get(overlay, "Deployment", service)).get(0);

        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isIn("/q/health/live", "/q/health/started");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(container.path(probe).path("httpGet").path("port").asText()).as(probe).isEqualTo("http");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void everyEnvironmentVariableSetsSomethingTheServiceReads(String overlay, String service) {
        ServiceConfig config = ServiceConfig.of(service);
        JsonNode container = Manifests.containers(Manifests.get(overlay, "Deployment", service)).get(0);
        List<String> unknown = new ArrayList<>();
        for (String env : environment(overlay, container).keySet()) {
            if (env.startsWith("KAFKA_")) {
                String kafkaKey = env.substring("KAFKA_".length()).toLowerCase().replace('_', '.');
                boolean known = ProducerConfig.configNames().contains(kafkaKey) || ConsumerConfig.configNames().contains(kafkaKey)
                        || AdminClientConfig.configNames().contains(kafkaKey) || config.properties.containsKey("kafka." + kafkaKey);
                if (!known) {
                    unknown.add(env + " (no Kafka client config " + kafkaKey + ")");
                }
            } else if (config.explain(env).isEmpty()) {
                unknown.add(env);
            }
        }
        assertThat(unknown).as(service + ": env vars in " + overlay + " that no property, ${ENV} reference or config mapping of "
                + service + " reads").isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlaysAndServices")
    void runsAsNonRootOnAReadOnlyRootFilesystemWithAWritableTmp(String overlay, String service) {
        JsonNode deployment = Manifests.get(overlay, "Deployment", service);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = Manifests.containers(deployment).get(0);

        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.path("securityContext").path("capabilities").path("drop").toString()).contains("ALL");
        assertThat(container.path("volumeMounts").findValuesAsText("mountPath")).contains("/tmp");
        assertThat(container.path("resources").path("requests").path("memory").asText()).isNotEmpty();
        assertThat(container.path("resources").path("limits").path("memory").asText()).isNotEmpty();
    }

    @org.junit.jupiter.api.Test
    void environmentCheckKnowsTheServicesKeysAndRejectsOthers() {
        ServiceConfig vlm = ServiceConfig.of("vlm-service");
        assertThat(vlm.explain("SIGHTLINE_VLM_KUBERNETES_LEASE_NAME")).isPresent();
        assertThat(vlm.explain("SIGHTLINE_VLM_LAUNCHER")).isPresent();
        assertThat(vlm.explain("SIGHTLINE_VLM_KUBERNETES_LEASE_NAM")).isEmpty();
        ServiceConfig caption = ServiceConfig.of("caption-service");
        assertThat(caption.explain("SIGHTLINE_MODELS_DIR")).isPresent();
        assertThat(caption.explain("SIGHTLINE_CAPTION_KUBERNETES_LEASE_NAME")).as("moved to vlm-service").isEmpty();
        assertThat(caption.explain("SIGHTLINE_GATEWAY_KEYS_FILE")).as("another service's key").isEmpty();
        assertThat(ServiceConfig.of("gateway").explain("SIGHTLINE_GATEWAY_KEYS_FILE")).isPresent();
    }

    /** The container's environment: envFrom ConfigMaps (resolved in the rendered output) plus env entries. */
    static Map<String, String> environment(String overlay, JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String name = from.path("configMapRef").path("name").asText();
            if (!name.isEmpty()) {
                Manifests.get(overlay, "ConfigMap", name).path("data").fields()
                        .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            }
            assertThat(from.has("secretRef")).as("secrets are mapped key by key, never wholesale").isFalse();
        }
        for (JsonNode e : container.path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText(null));
        }
        return env;
    }
}
