package io.sightline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The rendered output of each overlay under deploy/overlays, produced by {@code kubectl kustomize}
 * (Debian's kubernetes-client package) exactly as an operator's {@code kubectl apply -k} would see it.
 */
final class Manifests {

    static final List<String> OVERLAYS = List.of("cpu-only", "gpu");
    static final List<String> SERVICES = List.of("capture-service", "caption-service", "fallback-service", "gateway", "history-service", "vlm-service", "watch-service", "notify-service");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final Map<String, List<ObjectNode>> RENDERED = new ConcurrentHashMap<>();

    private Manifests() {
    }

    static Path repo() {
        return Path.of(System.getProperty("sightline.repo.dir", "..")).toAbsolutePath().normalize();
    }

    static List<ObjectNode> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Manifests::kustomize);
    }

    static List<ObjectNode> ofKind(String overlay, String kind) {
        return render(overlay).stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    static Optional<ObjectNode> find(String overlay, String kind, String name) {
        return ofKind(overlay, kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst();
    }

    static ObjectNode get(String overlay, String kind, String name) {
        return find(overlay, kind, name)
                .orElseThrow(() -> new AssertionError("overlay " + overlay + " renders no " + kind + " " + name));
    }

    static String id(JsonNode object) {
        return object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
    }

    private static List<ObjectNode> kustomize(String overlay) {
        Path dir = repo().resolve("deploy/overlays").resolve(overlay);
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("no overlay directory " + dir);
        }
        String kubectl = Optional.ofNullable(System.getenv("KUBECTL")).orElse("kubectl");
        ProcessBuilder builder = new ProcessBuilder(kubectl, "kustomize", dir.toString());
        try {
            Path out = Files.createTempFile("kustomize-" + overlay, ".yaml");
            Path err = Files.createTempFile("kustomize-" + overlay, ".err");
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish in 2 minutes");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n" + stderr);
            }
            return parse(stdout);
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + kubectl + " kustomize' (install kubectl: Debian package kubernetes-client,"
                    + " or set KUBECTL): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<ObjectNode> parse(String yaml) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && node.isObject() && !node.isEmpty()) {
                    objects.add((ObjectNode) node);
                }
            }
        }
        return objects;
    }

    /** Containers of a Deployment's pod template. */
    static List<JsonNode> containers(JsonNode deployment) {
        List<JsonNode> result = new ArrayList<>();
        deployment.path("spec").path("template").path("spec").path("containers").forEach(result::add);
        return result;
    }
}
