package io.sightline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every overlay renders, and every rendered object is valid against its schema, strictly. */
class RenderedManifestsTest {

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void overlayRendersTheWholeSystem(String overlay) {
        List<ObjectNode> objects = Manifests.render(overlay);

        for (String service : Manifests.SERVICES) {
            Manifests.get(overlay, "Deployment", service);
            Manifests.get(overlay, "Service", service);
            Manifests.get(overlay, "PodDisruptionBudget", service);
            Manifests.get(overlay, "KafkaUser", service);
        }
        Manifests.get(overlay, "Kafka", "sightline");
        Manifests.get(overlay, "ScaledObject", "caption-service");
        assertThat(objects).allSatisfy(o -> {
            if (!o.path("kind").asText().equals("Namespace")) {
                assertThat(o.path("metadata").path("namespace").asText()).as(Manifests.id(o)).isEqualTo("sightline");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void everyObjectMatchesItsKubernetesStrimziOrKedaSchemaStrictly(String overlay) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode object : Manifests.render(overlay)) {
            problems.addAll(StrictModels.problems(object));
        }
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void imagesArePinnedByVersionTagOrDigestNeverLatest(String overlay) {
        for (ObjectNode deployment : Manifests.ofKind(overlay, "Deployment")) {
            for (JsonNode container : Manifests.containers(deployment)) {
                String image = container.path("image").asText();
                assertThat(image).as(Manifests.id(deployment))
                        .matches(".+(@sha256:[0-9a-f]{64}|:[A-Za-z0-9][A-Za-z0-9._-]*)$")
                        .doesNotEndWith(":latest");
                assertThat(image.substring(image.lastIndexOf('/') + 1)).as(Manifests.id(deployment)).contains(":");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void noSecretIsCommittedOnlyReferenced(String overlay) {
        assertThat(Manifests.ofKind(overlay, "Secret")).as("Secrets are created by the operator (docs/deploy.md)").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void strictValidationRejectsAMisspeltField(String overlay) {
        ObjectNode deployment = Manifests.get(overlay, "Deployment", "gateway").deepCopy();
        ((ObjectNode) deployment.path("spec")).put("replica", 2);
        ObjectNode topic = Manifests.get(overlay, "KafkaTopic", "frames").deepCopy();
        ((ObjectNode) topic.path("spec")).put("partition", 6);
        ObjectNode scaled = Manifests.get(overlay, "ScaledObject", "caption-service").deepCopy();
        ((ObjectNode) scaled.path("spec")).put("maxReplicas", 6);
        ObjectNode trigger = Manifests.get(overlay, "ScaledObject", "caption-service").deepCopy();
        ((ObjectNode) trigger.path("spec").path("triggers").get(0).path("metadata")).put("lagTreshold", "5");

        assertThat(StrictModels.problems(deployment)).singleElement().asString().contains("replica");
        assertThat(StrictModels.problems(topic)).singleElement().asString().contains("partition");
        assertThat(StrictModels.problems(scaled)).singleElement().asString().contains("maxReplicas");
        assertThat(StrictModels.problems(trigger)).singleElement().asString().contains("lagTreshold");
    }
}
