package io.sightline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.common.kafka.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** KEDA scales caption-service on its own group's lag on frames, never beyond frames' partitions; GPU scale-to-zero wiring. */
class ScalingDriftTest {

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void captionServiceScalesOnItsFramesGroupLagUpToThePartitionCount(String overlay) {
        JsonNode spec = Manifests.get(overlay, "ScaledObject", "caption-service").path("spec");
        JsonNode trigger = spec.path("triggers").get(0);
        ServiceConfig.Channel frames = ServiceConfig.of("caption-service").channels().stream()
                .filter(c -> c.incoming() && c.topic().equals(Topics.FRAMES)).findFirst().orElseThrow();

        assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo("caption-service");
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        assertThat(trigger.path("metadata").path("topic").asText()).isEqualTo(Topics.FRAMES);
        assertThat(trigger.path("metadata").path("consumerGroup").asText()).isEqualTo(frames.groupId());
        assertThat(spec.path("maxReplicaCount").asInt())
                .isLessThanOrEqualTo(Topics.spec(Topics.FRAMES).orElseThrow().partitions())
                .isGreaterThanOrEqualTo(spec.path("minReplicaCount").asInt(1));
        assertThat(Manifests.get(overlay, "Deployment", "caption-service").path("spec").has("replicas"))
                .as("the ScaledObject owns caption-service's replica count").isFalse();
        // KEDA's user may only describe what it measures
        JsonNode acls = Manifests.get(overlay, "KafkaUser", "keda-lag-reader").path("spec").path("authorization").path("acls");
        assertThat(acls.findValuesAsText("name")).containsExactlyInAnyOrder(Topics.FRAMES, frames.groupId());
        assertThat(acls.toString()).doesNotContain("Read", "Write");
    }

    @Test
    void gpuOverlayLetsVlmServiceScaleOnlyTheLlamaServerAndHoldItsLease() {
        JsonNode llama = Manifests.get("gpu", "Deployment", "llama-server");
        JsonNode container = Manifests.containers(llama).get(0);
        var env = ServiceDriftTest.environment("gpu",
                Manifests.containers(Manifests.get("gpu", "Deployment", "vlm-service")).get(0));

        assertThat(llama.path("spec").path("replicas").asInt(-1)).isZero();
        assertThat(container.path("resources").path("limits").path("nvidia.com/gpu").asText()).isEqualTo("1");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health");
        assertThat(llama.path("spec").path("template").path("spec").path("tolerations").toString()).contains("nvidia.com/gpu");
        assertThat(env).containsEntry("SIGHTLINE_VLM_LAUNCHER", "kubernetes")
                .containsEntry("SIGHTLINE_VLM_KUBERNETES_DEPLOYMENT", "llama-server");
        String lease = env.get("SIGHTLINE_VLM_KUBERNETES_LEASE_NAME");

        JsonNode rules = Manifests.get("gpu", "Role", "vlm-model-scaler").path("rules");
        assertThat(rules).hasSize(3);
        assertThat(rules.get(0).path("resources").toString()).isEqualTo("[\"deployments/scale\"]");
        assertThat(rules.get(0).path("resourceNames").toString()).isEqualTo("[\"llama-server\"]");
        assertThat(rules.get(0).path("verbs").toString()).isEqualTo("[\"get\",\"patch\"]");
        assertThat(rules.get(1).path("resourceNames").toString()).isEqualTo("[\"" + lease + "\"]");
        assertThat(rules.get(2).path("verbs").toString()).isEqualTo("[\"create\"]");
        JsonNode binding = Manifests.get("gpu", "RoleBinding", "vlm-model-scaler");
        assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo("vlm-service");
        assertThat(Manifests.get("gpu", "ServiceAccount", "vlm-service").path("automountServiceAccountToken").asBoolean()).isTrue();
        assertThat(env.get("SIGHTLINE_VLM_KUBERNETES_BASE_URL"))
                .startsWith("http://llama-server:" + Manifests.get("gpu", "Service", "llama-server").path("spec").path("ports").get(0).path("port").asInt());
    }

    @Test
    void cpuOnlyOverlayGivesNoServiceAccessToTheKubernetesApi() {
        assertThat(Manifests.ofKind("cpu-only", "Role")).isEmpty();
        assertThat(Manifests.find("cpu-only", "Deployment", "llama-server")).isEmpty();
        for (JsonNode account : Manifests.ofKind("cpu-only", "ServiceAccount")) {
            assertThat(account.path("automountServiceAccountToken").asBoolean(true)).as(Manifests.id(account)).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void onlyTheGatewayAcceptsTrafficFromOutsideTheNamespace(String overlay) {
        for (JsonNode policy : Manifests.ofKind(overlay, "NetworkPolicy")) {
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                for (JsonNode from : rule.path("from")) {
                    boolean external = from.has("ipBlock") || from.has("namespaceSelector");
                    if (external && cloudNativePgOperatorToStatusPort(policy, from, rule)) {
                        continue;
                    }
                    if (external) {
                        assertThat(policy.path("spec").path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText())
                                .as(Manifests.id(policy)).isEqualTo("gateway");
                    }
                }
            }
        }
        JsonNode deny = Manifests.get(overlay, "NetworkPolicy", "sightline-default-deny").path("spec");
        assertThat(deny.path("policyTypes").toString()).contains("Ingress", "Egress");
        assertThat(deny.path("podSelector").path("matchExpressions").get(0).path("values").findValuesAsText(""))
                .isNotNull();
        assertThat(deny.path("podSelector").toString()).contains(List.of("gateway", "capture-service", "caption-service", "fallback-service", "watch-service", "vlm-service").toArray(new String[0]));
    }

    /** The one other outside caller: the CloudNativePG operator (namespace cnpg-system) on the database pods' status port 8000. */
    private static boolean cloudNativePgOperatorToStatusPort(JsonNode policy, JsonNode from, JsonNode rule) {
        return !from.has("ipBlock") && !from.has("podSelector")
                && "cnpg-system".equals(from.path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText())
                && policy.path("spec").path("podSelector").path("matchLabels").has("cnpg.io/cluster")
                && rule.path("ports").size() == 1 && rule.path("ports").get(0).path("port").asInt() == 8000;
    }
}
