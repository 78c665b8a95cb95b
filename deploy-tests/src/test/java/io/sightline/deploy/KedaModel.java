package io.sightline.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KEDA 2.18's ScaledObject and TriggerAuthentication (keda.sh/v1alpha1), written from the fields of
 * KEDA's CRDs and the Kafka scaler's documented parameters, because no KEDA model or schema is published
 * on Maven Central. Unknown fields fail deserialization ({@link StrictModels#MAPPER}); the
 * Kafka scaler's free-form metadata and auth parameters are checked against the names KEDA accepts.
 */
final class KedaModel {

    /** Kafka scaler trigger metadata keys (KEDA docs, "Apache Kafka" scaler). */
    static final Set<String> KAFKA_METADATA = Set.of("bootstrapServers", "bootstrapServersFromEnv", "consumerGroup",
            "consumerGroupFromEnv", "topic", "topicFromEnv", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
            "allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag",
            "ensureEvenDistributionOfPartitions", "partitionLimitation", "version", "sasl", "tls", "unsafeSsl",
            "saslTokenProvider", "awsRegion", "awsEndpoint");
    /** Kafka scaler authentication parameters (TriggerAuthentication). */
    static final Set<String> KAFKA_AUTH = Set.of("sasl", "username", "password", "tls", "ca", "cert", "key", "keyPassword",
            "keyEncoding", "oauthTokenEndpointUri", "scopes", "oauthExtensions", "awsRegion", "awsAccessKeyID",
            "awsSecretAccessKey", "awsRoleArn", "saslTokenProvider", "unsafeSsl");
    static final Set<String> KAFKA_SASL = Set.of("plaintext", "scram_sha256", "scram_sha512", "oauthbearer", "gssapi", "none");

    interface Validated {
        List<String> problems();
    }

    private KedaModel() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec, Map<String, Object> status)
            implements Validated {
        @Override
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (spec == null || spec.scaleTargetRef() == null || spec.scaleTargetRef().name() == null) {
                problems.add("spec.scaleTargetRef.name is required");
                return problems;
            }
            if (spec.triggers() == null || spec.triggers().isEmpty()) {
                problems.add("spec.triggers is required");
                return problems;
            }
            if (spec.minReplicaCount() != null && spec.maxReplicaCount() != null && spec.minReplicaCount() > spec.maxReplicaCount()) {
                problems.add("minReplicaCount > maxReplicaCount");
            }
            for (Trigger trigger : spec.triggers()) {
                if (trigger.type() == null || trigger.metadata() == null) {
                    problems.add("trigger needs type and metadata");
                    continue;
                }
                if (trigger.type().equals("kafka")) {
                    trigger.metadata().keySet().stream().filter(k -> !KAFKA_METADATA.contains(k))
                            .forEach(k -> problems.add("kafka trigger: unknown metadata " + k));
                    if (trigger.metadata().containsKey("sasl") && !KAFKA_SASL.contains(trigger.metadata().get("sasl"))) {
                        problems.add("kafka trigger: sasl must be one of " + KAFKA_SASL);
                    }
                    for (String number : List.of("lagThreshold", "activationLagThreshold")) {
                        String v = trigger.metadata().get(number);
                        if (v != null && !v.matches("\\d+")) {
                            problems.add("kafka trigger: " + number + " must be a whole number, was " + v);
                        }
                    }
                }
            }
            return problems;
        }
    }

    record ScaledObjectSpec(ScaleTarget scaleTargetRef, Integer pollingInterval, Integer cooldownPeriod,
                            Integer initialCooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount,
                            Integer maxReplicaCount, Advanced advanced, Fallback fallback, List<Trigger> triggers) {
    }

    record ScaleTarget(String apiVersion, String kind, String name, String envSourceContainerName) {
    }

    record Advanced(Boolean restoreToOriginalReplicaCount, HpaConfig horizontalPodAutoscalerConfig,
                    ScalingModifiers scalingModifiers) {
    }

    record HpaConfig(String name, HorizontalPodAutoscalerBehavior behavior) {
    }

    record ScalingModifiers(String formula, String target, String activationTarget, String metricType) {
    }

    record Fallback(Integer failureThreshold, Integer replicas, String behavior) {
    }

    record Trigger(String type, String name, Map<String, String> metadata, AuthRef authenticationRef, String metricType,
                   Boolean useCachedMetrics) {
    }

    record AuthRef(String name, String kind) {
    }

    record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, TriggerAuthenticationSpec spec)
            implements Validated {
        @Override
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (spec == null) {
                problems.add("spec is required");
                return problems;
            }
            if (spec.secretTargetRef() != null) {
                for (SecretTargetRef ref : spec.secretTargetRef()) {
                    if (ref.parameter() == null || ref.name() == null || ref.key() == null) {
                        problems.add("secretTargetRef needs parameter, name and key");
                    }
                }
            }
            return problems;
        }
    }

    record TriggerAuthenticationSpec(List<SecretTargetRef> secretTargetRef, List<EnvRef> env,
                                     List<ConfigMapTargetRef> configMapTargetRef, Map<String, Object> podIdentity) {
    }

    record SecretTargetRef(String parameter, String name, String key) {
    }

    record EnvRef(String parameter, String name, String containerName) {
    }

    record ConfigMapTargetRef(String parameter, String name, String key) {
    }
}
