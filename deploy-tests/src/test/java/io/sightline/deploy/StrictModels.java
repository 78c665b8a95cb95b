package io.sightline.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict validation of rendered objects against typed models: fabric8's Kubernetes model, Strimzi's own
 * API model (io.strimzi:api), the KEDA model in {@link KedaModel} and the CloudNativePG model in {@link CnpgModel}. Jackson fails on wrong types;
 * the fabric8 and Strimzi classes keep unknown fields in {@code additionalProperties} instead of
 * failing, so every such map in the object graph must be empty (a misspelt or misplaced field is an error).
 */
final class StrictModels {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/Namespace", io.fabric8.kubernetes.api.model.Namespace.class),
            Map.entry("v1/ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("v1/PersistentVolumeClaim", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry("policy/v1/PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", io.fabric8.kubernetes.api.model.rbac.Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class),
            Map.entry("kafka.strimzi.io/v1/Kafka", io.strimzi.api.kafka.model.kafka.Kafka.class),
            Map.entry("kafka.strimzi.io/v1/KafkaNodePool", io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1/KafkaTopic", io.strimzi.api.kafka.model.topic.KafkaTopic.class),
            Map.entry("kafka.strimzi.io/v1/KafkaUser", io.strimzi.api.kafka.model.user.KafkaUser.class),
            Map.entry("keda.sh/v1alpha1/ScaledObject", KedaModel.ScaledObject.class),
            Map.entry("keda.sh/v1alpha1/TriggerAuthentication", KedaModel.TriggerAuthentication.class),
            Map.entry("postgresql.cnpg.io/v1/Cluster", CnpgModel.Cluster.class),
            Map.entry("postgresql.cnpg.io/v1/ScheduledBackup", CnpgModel.ScheduledBackup.class));

    private StrictModels() {
    }

    static Class<?> typeOf(JsonNode object) {
        String key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        Class<?> type = TYPES.get(key);
        if (type == null) {
            throw new AssertionError(Manifests.id(object) + ": no schema known for " + key
                    + " (add the model to StrictModels.TYPES, or fix apiVersion/kind)");
        }
        return type;
    }

    /** Problems found in one object; empty when it matches its schema exactly. */
    static List<String> problems(JsonNode object) {
        List<String> problems = new ArrayList<>();
        Object typed;
        try {
            typed = MAPPER.treeToValue(object, typeOf(object));
        } catch (Exception e) {
            problems.add(Manifests.id(object) + ": " + e.getMessage().lines().findFirst().orElse(""));
            return problems;
        }
        walk(typed, Manifests.id(object), problems, new IdentityHashMap<>());
        if (typed instanceof KedaModel.Validated validated) {
            validated.problems().forEach(p -> problems.add(Manifests.id(object) + ": " + p));
        }
        return problems;
    }

    private static void walk(Object value, String path, List<String> problems, IdentityHashMap<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> collection) {
            int i = 0;
            for (Object item : collection) {
                walk(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, problems, seen));
            return;
        }
        if (value.getClass().isRecord()) {
            for (var component : value.getClass().getRecordComponents()) {
                try {
                    walk(component.getAccessor().invoke(value), path + "." + component.getName(), problems, seen);
                } catch (ReflectiveOperationException e) {
                    problems.add(path + ": cannot read " + component.getName());
                }
            }
            return;
        }
        String pkg = value.getClass().getPackageName();
        if (!(pkg.startsWith("io.fabric8.kubernetes.api.model") || pkg.startsWith("io.strimzi.api"))) {
            return;
        }
        for (Method method : value.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
                    || !(method.getName().startsWith("get") || method.getName().startsWith("is"))
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child;
            try {
                child = method.invoke(value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (method.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet() + " in " + value.getClass().getSimpleName());
                }
                continue;
            }
            if (child != null && !(child instanceof String) && !(child instanceof Number) && !(child instanceof Boolean)
                    && !child.getClass().isEnum()) {
                walk(child, path + "." + property(method.getName()), problems, seen);
            }
        }
    }

    private static String property(String getter) {
        String name = getter.startsWith("is") ? getter.substring(2) : getter.substring(3);
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
