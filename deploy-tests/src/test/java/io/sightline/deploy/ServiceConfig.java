package io.sightline.deploy;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.MemberValuePair;
import com.github.javaparser.ast.expr.NormalAnnotationExpr;
import com.github.javaparser.ast.expr.SingleMemberAnnotationExpr;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import com.github.javaparser.ast.type.Type;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service module actually reads, taken from its sources as they are now: the keys of its
 * application.properties, the {@code ${ENV}} names those reference, the keys of every
 * {@code @ConfigMapping} interface (its own and common's, expanded through nested groups) and
 * {@code @ConfigProperty} names. New keys in the code need no change here.
 */
final class ServiceConfig {

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Pattern CHANNEL_KEY = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.(\"[^\"]+\"|[^.]+(?:\\.[^.]+)*?)\\.(connector|topic|group\\.id|failure-strategy|dead-letter-queue\\.topic)");
    private static final Map<String, ServiceConfig> CACHE = new HashMap<>();

    final String module;
    final Map<String, String> properties = new LinkedHashMap<>();
    final Set<String> envReferences = new LinkedHashSet<>();
    /** Config keys from @ConfigMapping / @ConfigProperty; a segment "*" stands for a map key. */
    final Set<String> mappedKeys = new LinkedHashSet<>();

    record Channel(String name, boolean incoming, String topic, String groupId, String deadLetterTopic) {
    }

    private ServiceConfig(String module) {
        this.module = module;
    }

    static synchronized ServiceConfig of(String module) {
        return CACHE.computeIfAbsent(module, m -> {
            ServiceConfig config = new ServiceConfig(m);
            try {
                config.load();
            } catch (IOException e) {
                throw new AssertionError("cannot read the config of " + m + ": " + e.getMessage(), e);
            }
            return config;
        });
    }

    private void load() throws IOException {
        Path props = Manifests.repo().resolve(module).resolve("src/main/resources/application.properties");
        Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(props)) {
            p.load(reader);
        }
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key);
            properties.put(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key, value);
            Matcher m = ENV_REFERENCE.matcher(value);
            while (m.find()) {
                envReferences.add(m.group(1));
            }
        }
        StaticJavaParser.getParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17);
        Map<String, ClassOrInterfaceDeclaration> interfaces = new HashMap<>();
        List<ClassOrInterfaceDeclaration> roots = new ArrayList<>();
        for (Path sources : List.of(Manifests.repo().resolve(module).resolve("src/main/java"),
                Manifests.repo().resolve("common/src/main/java"))) {
            if (!Files.isDirectory(sources)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    CompilationUnit unit;
                    try {
                        unit = StaticJavaParser.parse(file);
                    } catch (RuntimeException e) {
                        continue; // a file being edited right now; its keys are checked once it parses
                    }
                    for (ClassOrInterfaceDeclaration type : unit.findAll(ClassOrInterfaceDeclaration.class)) {
                        if (type.isInterface()) {
                            interfaces.putIfAbsent(type.getNameAsString(), type);
                            if (type.getAnnotationByName("ConfigMapping").isPresent()) {
                                roots.add(type);
                            }
                        }
                    }
                    unit.findAll(AnnotationExpr.class).stream()
                            .filter(a -> a.getNameAsString().equals("ConfigProperty"))
                            .forEach(a -> attribute(a, "name").ifPresent(mappedKeys::add));
                }
            }
        }
        for (ClassOrInterfaceDeclaration root : roots) {
            String prefix = attribute(root.getAnnotationByName("ConfigMapping").orElseThrow(), "prefix").orElse("");
            expand(root, prefix, interfaces, 0);
        }
    }

    private void expand(ClassOrInterfaceDeclaration type, String path, Map<String, ClassOrInterfaceDeclaration> interfaces, int depth) {
        if (depth > 8) {
            return;
        }
        for (ClassOrInterfaceDeclaration parent : type.getExtendedTypes().stream()
                .map(t -> interfaces.get(t.getNameAsString())).filter(java.util.Objects::nonNull).toList()) {
            expand(parent, path, interfaces, depth + 1);
        }
        for (MethodDeclaration method : type.getMethods()) {
            if (method.isDefault() || method.isStatic() || !method.getParameters().isEmpty()) {
                continue;
            }
            String segment = method.getAnnotationByName("WithName").flatMap(a -> attribute(a, "value"))
                    .orElseGet(() -> kebab(method.getNameAsString()));
            boolean parentName = method.getAnnotationByName("WithParentName").isPresent();
            String key = parentName ? path : path + "." + segment;
            Type valueType = unwrap(method.getType());
            if (isMap(method.getType())) {
                key = key + ".*";
            }
            String simple = valueType instanceof ClassOrInterfaceType c ? c.getNameAsString() : valueType.asString();
            ClassOrInterfaceDeclaration group = interfaces.get(simple);
            if (group != null && group != type) {
                expand(group, key, interfaces, depth + 1);
            } else {
                mappedKeys.add(key);
            }
        }
    }

    private static boolean isMap(Type type) {
        return type instanceof ClassOrInterfaceType c && c.getNameAsString().equals("Map");
    }

    /** Optional<X>, List<X>, Set<X>, Map<K, X> -> X. */
    private static Type unwrap(Type type) {
        if (type instanceof ClassOrInterfaceType c && c.getTypeArguments().isPresent()
                && Set.of("Optional", "List", "Set", "Map").contains(c.getNameAsString())) {
            var args = c.getTypeArguments().get();
            return unwrap(args.get(args.size() - 1));
        }
        return type;
    }

    private static Optional<String> attribute(AnnotationExpr annotation, String name) {
        if (annotation instanceof SingleMemberAnnotationExpr single && name.equals("value")) {
            return Optional.of(single.getMemberValue().asStringLiteralExpr().asString());
        }
        if (annotation instanceof SingleMemberAnnotationExpr single && name.equals("prefix")) {
            return Optional.of(single.getMemberValue().asStringLiteralExpr().asString());
        }
        if (annotation instanceof NormalAnnotationExpr normal) {
            for (MemberValuePair pair : normal.getPairs()) {
                if (pair.getNameAsString().equals(name) && pair.getValue().isStringLiteralExpr()) {
                    return Optional.of(pair.getValue().asStringLiteralExpr().asString());
                }
            }
        }
        return Optional.empty();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** Quarkus' environment variable form of a config key: non-alphanumerics become '_', upper case. */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9*]", "_").toUpperCase();
    }

    /** Whether an environment variable sets something this service reads; the reason when it does. */
    Optional<String> explain(String env) {
        if (envReferences.contains(env)) {
            return Optional.of("referenced as ${" + env + "} in application.properties");
        }
        for (String key : properties.keySet()) {
            if (envName(key).equals(env)) {
                return Optional.of("property " + key);
            }
        }
        for (String key : mappedKeys) {
            String pattern = Pattern.quote(envName(key)).replace("*", "\\E[A-Z0-9_]+\\Q");
            if (env.matches(pattern)) {
                return Optional.of("config key " + key);
            }
        }
        return Optional.empty();
    }

    int httpPort() {
        return Integer.parseInt(properties.getOrDefault("quarkus.http.port", "8080"));
    }

    String applicationName() {
        return properties.getOrDefault("quarkus.application.name", module);
    }

    /** Kafka channels declared in application.properties (connector smallrye-kafka). */
    List<Channel> channels() {
        Map<String, Map<String, String>> byChannel = new LinkedHashMap<>();
        for (var e : properties.entrySet()) {
            Matcher m = CHANNEL_KEY.matcher(e.getKey());
            if (m.matches()) {
                String channel = m.group(2).replace("\"", "");
                byChannel.computeIfAbsent(m.group(1) + ":" + channel, k -> new HashMap<>()).put(m.group(3), e.getValue());
            }
        }
        List<Channel> channels = new ArrayList<>();
        for (var e : byChannel.entrySet()) {
            Map<String, String> attrs = e.getValue();
            if (!"smallrye-kafka".equals(attrs.get("connector"))) {
                continue;
            }
            boolean incoming = e.getKey().startsWith("incoming:");
            String name = e.getKey().substring(e.getKey().indexOf(':') + 1);
            String dlq = "dead-letter-queue".equals(attrs.get("failure-strategy")) || attrs.containsKey("dead-letter-queue.topic")
                    ? attrs.getOrDefault("dead-letter-queue.topic", "dead-letter-topic-" + name) : null;
            channels.add(new Channel(name, incoming, attrs.getOrDefault("topic", name),
                    incoming ? attrs.getOrDefault("group.id", applicationName()) : null, dlq));
        }
        return channels;
    }
}
