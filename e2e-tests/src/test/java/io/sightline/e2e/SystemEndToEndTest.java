package io.sightline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.kafka.TopicSpec;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestAssets;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The proof that the pipeline works: the real broker, a real PostgreSQL (embedded binaries) and the eight
 * packaged services, each its own JVM process as {@code ./sightline up} runs them, driven only through the
 * gateway's public API. Every VLM call goes through vlm-service, which hosts the real llama-server with
 * the tiny random-weight model ({@code ../shared/tools/llama-server}) as its default model and fronts the
 * OpenAI-compatible stand-in as the remote model {@code stand-in} (scripted answers the random weights
 * cannot give: queries and watch jobs ask it). Captions come from the real ONNX models, until the last
 * test swaps caption-service to the caption-server tier.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String VLM_ANSWER = "An astronaut in a white spacesuit stands in front of an American flag.";
    /** The stand-in's grounded answer to "where is the astronaut?": Qwen2.5-VL's bbox_2d, pixels of the 512x512 frame sent. */
    private static final String WHERE_ANSWER = "The astronaut stands in the middle of the frame, in front of the flag. "
            + "{\"bbox_2d\": [128, 64, 384, 448], \"label\": \"astronaut\"}";

    private static final List<ServiceProcess> services = new ArrayList<>();
    private static StandInVlmServer vlm;
    private static EmbeddedPostgres postgres;
    private static ServiceProcess gateway;
    private static ServiceProcess vlmService;
    private static ServiceProcess captionService;
    private static Map<String, String> captionEnv;
    private static int captionPort;
    private static String internalToken;
    private static String batchKey;
    private static String adminKey;
    private static String operatorKey;
    private static String viewerKey;

    @BeforeAll
    static void startSystem() throws IOException {
        String bootstrap = TestBroker.bootstrapServers();
        Path llama = llamaDir();
        Path llamaServer = TestAssets.require(llama.resolve("bin/llama-server"),
                "the real llama-server (build it with ../shared/tools/llama-server/setup.sh)");
        vlm = StandInVlmServer.start("stand-in-vlm").vision(true).respond(SystemEndToEndTest::standInAnswer);

        adminKey = "sk-e2e-admin-" + random();
        operatorKey = "sk-e2e-operator-" + random();
        viewerKey = "sk-e2e-viewer-" + random();
        batchKey = "sk-e2e-batch-" + random();
        Path keys = ServiceProcess.projectRoot().resolve("e2e-tests/target/e2e-state/gateway-keys");
        Files.createDirectories(keys.getParent());
        Files.writeString(keys, adminKey + ":admin\n" + operatorKey + ":operator\n" + viewerKey + ":viewer\n"
                + batchKey + ":operator:batch\n");
        internalToken = random();

        Map<String, String> common = new LinkedHashMap<>();
        common.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        common.put("SIGHTLINE_INTERNAL_TOKEN", internalToken);
        common.put("SIGHTLINE_MODELS_DIR", TestImages.modelsDir().toAbsolutePath().toString());
        int vlmPort = ServiceProcess.freePort();
        common.put("SIGHTLINE_VLM_SERVICE_URL", "http://127.0.0.1:" + vlmPort + "/v1");

        int capturePort = ServiceProcess.freePort();
        captionPort = ServiceProcess.freePort();
        int fallbackPort = ServiceProcess.freePort();
        int gatewayPort = ServiceProcess.freePort();
        int historyPort = ServiceProcess.freePort();
        int watchPort = ServiceProcess.freePort();
        int notifyPort = ServiceProcess.freePort();
        postgres = EmbeddedPostgres.builder().setPort(ServiceProcess.freePort())
                .setServerConfig("listen_addresses", "127.0.0.1").start();
        common.put("SIGHTLINE_HISTORY_URL", "http://127.0.0.1:" + historyPort);

        // vlm-service: the tiny model hosted (default, what the caption-server tier asks for), the stand-in as a remote
        Path vlmState = ServiceProcess.projectRoot().resolve("e2e-tests/target/e2e-state/vlm-service");
        Files.createDirectories(vlmState.resolve("config"));
        Path vlmModels = vlmState.resolve("models");
        Files.createDirectories(vlmModels);
        // config/application.properties in the working directory: map keys (hosted.<id>, remote.<id>) have no env form
        Files.writeString(vlmState.resolve("config/application.properties"), String.join("\n",
                "sightline.vlm.model=tiny",
                "sightline.vlm.models-dir=" + vlmModels,
                "sightline.vlm.download.enabled=false",
                "sightline.vlm.llama-server.executable=" + llamaServer,
                "sightline.vlm.llama-server.ctx-size=1024",
                "sightline.vlm.llama-server.threads=1",
                "sightline.vlm.hosted.tiny.model=" + llama.resolve("models/tiny-llava-text.gguf"),
                "sightline.vlm.hosted.tiny.mmproj=" + llama.resolve("models/tiny-llava-mmproj.gguf"),
                "sightline.vlm.hosted.tiny.port=" + ServiceProcess.freePort(),
                "sightline.vlm.hosted.tiny.parallel=1",
                "sightline.vlm.remote.stand-in.base-url=" + vlm.baseUrl() + "/v1",
                "sightline.vlm.remote.stand-in.slots=2",
                "sightline.vlm.remote.stand-in.vision=true",
                ""));
        vlmService = ServiceProcess.start("vlm-service", vlmPort, common);
        services.add(vlmService);

        services.add(ServiceProcess.start("capture-service", capturePort, common));
        captionEnv = new LinkedHashMap<>(common);
        // captions in the first tests come from the real ONNX models (objects counted from their detections)
        captionEnv.put("SIGHTLINE_VISION_BACKEND", "onnx");
        captionService = ServiceProcess.start("caption-service", captionPort, captionEnv);
        services.add(captionService);
        Map<String, String> fallback = new LinkedHashMap<>(common);
        // queries (and watch jobs, below) ask vlm-service for its remote model "stand-in" (scripted answers)
        fallback.put("SIGHTLINE_FALLBACK_VLM_MODEL", "stand-in");
        services.add(ServiceProcess.start("fallback-service", fallbackPort, fallback));
        Map<String, String> watchEnv = new LinkedHashMap<>(common);
        watchEnv.put("SIGHTLINE_WATCH_VLM_MODEL", "stand-in");
        services.add(ServiceProcess.start("watch-service", watchPort, watchEnv));
        services.add(ServiceProcess.start("notify-service", notifyPort, common));
        Map<String, String> history = new LinkedHashMap<>(common);
        history.put("SIGHTLINE_HISTORY_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres");
        history.put("SIGHTLINE_HISTORY_DB_USER", "postgres");
        services.add(ServiceProcess.start("history-service", historyPort, history));
        Map<String, String> gatewayEnv = new LinkedHashMap<>(common);
        gatewayEnv.put("SIGHTLINE_GATEWAY_KEYS_FILE", keys.toString());
        gatewayEnv.put("SIGHTLINE_CAPTURE_URL", "http://127.0.0.1:" + capturePort);
        gatewayEnv.put("SIGHTLINE_CAPTION_URL", "http://127.0.0.1:" + captionPort);
        gatewayEnv.put("SIGHTLINE_FALLBACK_URL", "http://127.0.0.1:" + fallbackPort);
        gatewayEnv.put("SIGHTLINE_WATCH_URL", "http://127.0.0.1:" + watchPort);
        gatewayEnv.put("SIGHTLINE_NOTIFY_URL", "http://127.0.0.1:" + notifyPort);
        gateway = ServiceProcess.start("gateway", gatewayPort, gatewayEnv);
        services.add(gateway);

        for (ServiceProcess service : services) {
            service.awaitReady(Duration.ofSeconds(180));
        }
    }

    private static Path llamaDir() {
        String work = System.getenv("LLAMA_WORK");
        return work != null && !work.isBlank() ? Path.of(work) : Path.of(System.getProperty("user.home"), ".cache", "sightline", "llama-server");
    }

    /** The stand-in's script: a watch verdict for watch prompts, the astronaut for a question with a frame. */
    private static StandInVlmServer.Reply standInAnswer(StandInVlmServer.ReceivedRequest request) {
        if (request.text().contains("condition_met")) {
            return StandInVlmServer.Reply.text("{\"condition_met\": false, \"next_run_in\": 2, "
                    + "\"reasoning\": \"Nobody is holding a parcel.\", \"notification_message\": \"\"}");
        }
        if (request.text().contains("where is the astronaut") && !request.images().isEmpty()) {
            // word by word, slowly, when streamed: the console shows the answer growing
            return StandInVlmServer.Reply.slowlyStreamed(WHERE_ANSWER, 150);
        }
        return StandInVlmServer.Reply.text(request.images().isEmpty() ? "I cannot see the camera." : VLM_ANSWER);
    }

    @AfterAll
    static void stopSystem() {
        services.forEach(ServiceProcess::close);
        if (vlm != null) {
            vlm.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void everyServiceIsReadyBehindTheGatewayAndTopicsFollowTheContract() throws Exception {
        HttpResponse<String> ready = get("/q/health/ready", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\": \"UP\"").doesNotContain("\"DOWN\"");

        for (TopicSpec spec : Topics.ALL) {
            assertThat(TestKafka.awaitTopic(spec.name())).as("partitions of " + spec.name()).hasSize(spec.partitions());
            Map<String, String> actual = TestKafka.topicConfig(spec.name());
            spec.configs().forEach((key, value) ->
                    assertThat(actual.get(key)).as(spec.name() + " " + key).isEqualTo(value));
        }
    }

    @Test
    void astronautPushedThroughGatewayIsCaptionedCountedAndShownToTheVlm() throws Exception {
        String camera = "door";
        HttpResponse<String> created = send("PUT", "/api/v1/cameras/" + camera, adminKey,
                "application/json", "{\"source\":{\"type\":\"push\"}}".getBytes());
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);

        List<String> live = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Stream<String>>> stream = HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/captions/stream?camera=" + camera))
                        .header("Authorization", "Bearer " + viewerKey)
                        .header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> reading = stream.thenAccept(r -> r.body().forEach(live::add));
        try {
            await("SSE subscription").atMost(Duration.ofSeconds(30)).until(() -> stream.isDone() || !live.isEmpty() || subscribed(stream));

            // 1. push the astronaut as camera "door"
            byte[] png = Files.readAllBytes(TestImages.image("astronaut.png"));
            HttpResponse<String> pushed = send("POST", "/api/v1/frames/" + camera, operatorKey, "image/png", png);
            assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(202);
            String frameId = JSON.readTree(pushed.body()).path("frame_id").asText();
            assertThat(frameId).isNotBlank();

            // 2. a caption mentioning a person arrives live and in the history (onnx tier)
            await("live caption").atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                    assertThat(String.join("\n", live)).containsIgnoringCase("person").contains(frameId));
            await("caption history").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> history = get("/api/v1/captions?camera=" + camera + "&limit=10", viewerKey);
                assertThat(history.statusCode()).isEqualTo(200);
                JsonNode captions = captions(JSON.readTree(history.body()));
                assertThat(captions).anySatisfy(c -> {
                    assertThat(c.path("frame_id").asText()).isEqualTo(frameId);
                    assertThat(c.path("backend").asText()).isEqualTo("onnx");
                    assertThat(c.path("text").asText()).containsIgnoringCase("person");
                });
            });
        } finally {
            reading.cancel(true);
            stream.cancel(true);
        }

        // 3. a counting question is answered from state: one person, and how old the evidence is
        await("template answer").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode answer = query(camera, "how many people are there?", null);
            assertThat(answer.path("response_mode").asText()).isEqualTo("template");
            assertThat(answer.path("answer").asText()).containsPattern("(?i)\\b(1|one) person\\b").contains("ago");
        });
        assertThat(vlm.requests()).isEmpty();

        // 3b. questions about the past are answered from history-service's events, with evidence and no VLM
        await("history answers").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode count = query(camera, "how many people were at the door today?", null);
            assertThat(count.path("backend").asText()).as(count.toString()).isEqualTo("history");
            assertThat(count.path("query_type").asText()).isEqualTo("count_period");
            assertThat(count.path("answer").asText()).startsWith("1 person was seen on door today");
            assertThat(count.path("decision_reason").asText()).contains("event #");
        });
        JsonNode when = query(camera, "when was a person at the door?", null);
        assertThat(when.path("backend").asText()).as(when.toString()).isEqualTo("history");
        assertThat(when.path("answer").asText()).startsWith("A person was last seen on door");
        assertThat(when.path("decision_reason").asText()).contains("/api/v1/history/frames/");
        assertThat(vlm.requests()).isEmpty();

        // 4. an unsure question goes to the VLM with the astronaut frame attached
        JsonNode unsure = query(camera, "is the astronaut holding anything?", 0.2);
        assertThat(unsure.path("response_mode").asText()).isEqualTo("vlm_image");
        assertThat(unsure.path("answer").asText()).isEqualTo(VLM_ANSWER);
        assertThat(vlm.requests()).hasSize(1);
        StandInVlmServer.ReceivedImage seen = vlm.requests().get(0).images().get(0);
        assertThat(seen.mimeType()).isEqualTo("image/jpeg");
        assertThat(seen.width()).isEqualTo(512);
        assertThat(seen.height()).isEqualTo(512);
        assertThat(vlm.requests().get(0).text()).contains("is the astronaut holding anything?");
    }

    @Test
    void aPushRetriedWithTheSameIdempotencyKeyIsOneFrameWithOneCaption() throws Exception {
        String camera = "retry-cam";
        HttpResponse<String> created = send("PUT", "/api/v1/cameras/" + camera, adminKey,
                "application/json", "{\"source\":{\"type\":\"push\"}}".getBytes());
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        byte[] png = Files.readAllBytes(TestImages.image("chelsea.png"));

        String first = pushWithKey(camera, png, "agent-1-frame-1");
        String retry = pushWithKey(camera, png, "agent-1-frame-1");
        assertThat(retry).as("frame id of the retry").isEqualTo(first);
        String next = pushWithKey(camera, Files.readAllBytes(TestImages.image("coffee.png")), "agent-1-frame-2");
        assertThat(next).isNotEqualTo(first);

        await("captions of both frames").atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            JsonNode captions = captions(JSON.readTree(get("/api/v1/captions?camera=" + camera + "&limit=50", viewerKey).body()));
            List<String> ids = new ArrayList<>();
            captions.forEach(c -> ids.add(c.path("frame_id").asText()));
            assertThat(ids).contains(next);
            assertThat(ids).filteredOn(first::equals).as("captions of the retried frame").hasSize(1);
        });
    }

    @Test
    void theConsoleInChromiumShowsTheCameraAnswersWatchesAndKeepsAViewerOutOfAdmin() throws Exception {
        String camera = "console-cam";
        Path shots = ServiceProcess.projectRoot().resolve("e2e-tests/target/console-screenshots");
        try (ConsoleInChromium browser = ConsoleInChromium.open(gateway.baseUrl(), shots)) {
            try {
                // first screen (sign-in, session checked) ready, from navigation start: in a just-started browser, then reloaded
                double coldMs = browser.openFirstScreen();
                double warmMs = browser.reloadFirstScreen();
                Files.writeString(shots.resolve("timing.txt"), "first screen ready after " + Math.round(coldMs) + " ms (browser just started), "
                        + Math.round(warmMs) + " ms (reload)\n");
                assertThat(warmMs).as("first screen render ms").isLessThan(1000);
                browser.screenshot("signin");
                browser.signIn(adminKey);
                assertThat(browser.script("return document.cookie + JSON.stringify(localStorage) + location.href").toString())
                        .as("no key or session readable by scripts or in the URL").doesNotContain(adminKey).doesNotContain("sightline_session");

                // an admin adds a push camera with the console's form; its tile appears with the push hint
                browser.type(By.id("cam-id"), camera);
                browser.select(By.id("cam-type"), "push");
                browser.driver().findElement(By.cssSelector("#camera-form button[type=submit]")).click();
                await("camera tile").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(By.cssSelector("[data-camera='" + camera + "']")));

                // the astronaut pushed to it shows in the tile with its caption
                byte[] png = Files.readAllBytes(TestImages.image("astronaut.png"));
                assertThat(send("POST", "/api/v1/frames/" + camera, operatorKey, "image/png", png).statusCode()).isEqualTo(202);
                await("caption in history").atMost(Duration.ofSeconds(120)).until(() ->
                        get("/api/v1/captions?camera=" + camera + "&limit=1", viewerKey).body().toLowerCase().contains("person"));
                String tile = "[data-camera='" + camera + "'] ";
                await("tile caption and frame").atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(browser.text(By.cssSelector(tile + ".caption"))).containsIgnoringCase("person");
                    assertThat(browser.text(By.cssSelector(tile + ".labels"))).as("detected labels").contains("person");
                    assertThat(browser.showsImage(By.cssSelector(tile + "img"))).as("frame shown in tile").isTrue();
                });
                assertKcatLineOfThePushCameraFeedsIt(browser, camera);
                browser.screenshot("cameras");
                browser.resize(390, 844);
                browser.screenshot("cameras-phone");
                browser.resize(1280, 900);

                // the camera page: live view, and the astronaut's event on today's timeline with its thumbnail
                browser.driver().findElement(By.cssSelector(tile + "h2 a")).click();
                await("timeline event").atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(browser.text(By.id("timeline"))).containsIgnoringCase("person");
                    assertThat(browser.showsImage(By.cssSelector("#timeline img"))).as("timeline thumbnail").isTrue();
                    assertThat(browser.showsImage(By.cssSelector(".frame img"))).as("live view").isTrue();
                });
                browser.screenshot("camera");

                // ask: the answer from what the pipeline saw, with its evidence frame and age
                browser.go("ask");
                await("ask form").atMost(Duration.ofSeconds(10)).until(() -> browser.visible(By.id("ask-question")));
                browser.select(By.id("ask-camera"), camera);
                browser.type(By.id("ask-question"), "how many people are there?");
                browser.driver().findElement(By.cssSelector("#ask-form button[type=submit]")).click();
                await("answer").atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(browser.text(By.id("answer-text"))).containsPattern("(?i)\\b(1|one) person\\b");
                    assertThat(browser.text(By.id("answer"))).contains("template").contains("Evidence frame").contains("ago");
                    assertThat(browser.showsImage(By.id("evidence-image"))).as("evidence frame").isTrue();
                });
                browser.screenshot("ask");
                askWhereTheAstronautIsAndSeeTheAnswerStreamAndItsBox(browser);
                navigateAndAskWithTheKeyboardOnly(browser, camera);

                // search history with a camera filter
                browser.go("search");
                browser.type(By.id("q"), "person");
                await("camera filter").atMost(Duration.ofSeconds(10)).until(() ->
                        !browser.driver().findElements(By.cssSelector("#s-camera option[value='" + camera + "']")).isEmpty());
                browser.select(By.id("s-camera"), camera);
                browser.driver().findElement(By.cssSelector("#search-form button[type=submit]")).click();
                await("search results").atMost(Duration.ofSeconds(30)).until(() ->
                        !browser.driver().findElements(By.cssSelector("#search-results .result")).isEmpty());
                browser.screenshot("search");

                // watch: create a job, see it running, cancel it
                try {
                    browser.go("watch");
                    await("watch form").atMost(Duration.ofSeconds(10)).until(() -> browser.visible(By.id("w-condition")));
                    browser.select(By.id("w-camera"), camera);
                    browser.type(By.id("w-condition"), "the astronaut raises an arm");
                    browser.type(By.id("w-duration"), "5");
                    browser.type(By.id("w-zone-typed"), "0.1,0.1,0.5,0.6");
                    browser.driver().findElement(By.xpath("//button[text()='Add zone']")).click();
                    browser.driver().findElement(By.cssSelector("#watch-form button[type=submit]")).click();
                    By row = By.xpath("//tr[td[1][text()='" + camera + "'] and .//button[@data-action='cancel-watch']]");
                    await("running job").atMost(Duration.ofSeconds(30)).until(() -> browser.visible(row));
                    assertThat(browser.text(row)).containsIgnoringCase("running").contains("zone1");
                    browser.script("document.getElementById('watch-jobs').scrollIntoView({block: 'center'})");
                    browser.screenshot("watch");
                    // the row is re-rendered when the job changes (an iteration may land right now): find it afresh
                    await("cancel clicked").atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                        browser.driver().findElement(row).findElement(By.cssSelector("button[data-action='cancel-watch']")).click();
                        return true;
                    });
                    await("cancelled job").atMost(Duration.ofSeconds(30)).until(() -> browser.visible(
                            By.xpath("//tr[td[1][text()='" + camera + "']]//span[@data-status='cancelled']")));
                } finally {
                    // the watch job asked the stand-in VLM (an iteration in flight at the cancel may land after it); other
                    // tests count its requests from zero: wait until it has been quiet for 3 s, then forget them
                    await("stand-in VLM quiet").pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(60)).until(() -> {
                        List<StandInVlmServer.ReceivedRequest> seen = vlm.requests();
                        return seen.isEmpty() || seen.get(seen.size() - 1).at().isBefore(java.time.Instant.now().minusSeconds(3));
                    });
                    vlm.clear();
                }

                // system: health, tiers, lifecycle, and vlm-service's models (the hosted tiny one, the stand-in)
                browser.go("system");
                await("system page").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(browser.text(By.id("health"))).contains("UP");
                    assertThat(browser.text(By.id("models"))).contains("tiny").contains("stand-in");
                });
                stopAndStartTinyFromTheSystemPage(browser);
                assertTextContrastMeetsWcagAa(browser);
                browser.screenshot("system");
                ConsoleInChromium.assertNoConsoleErrors(browser);
                browser.signOut();
                signInAndOutWithTheKeyboardOnly(browser, viewerKey);

                // a viewer sees no admin or operator controls, and the server refuses a forged admin request anyway
                browser.signIn(viewerKey);
                browser.go("cameras");
                await("viewer tiles").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(By.cssSelector(tile + ".caption")));
                assertThat(browser.driver().findElements(By.cssSelector(".admin-controls, #camera-form"))).as("admin controls").isEmpty();
                assertAViewerHasNoModelStartStop(browser);
                browser.go("watch");
                assertThat(browser.driver().findElements(By.id("watch-form"))).isEmpty();
                browser.go("ask");
                assertThat(browser.text(By.id("view"))).contains("needs an operator key");
                browser.screenshot("viewer-ask");
                String forged = "{\"source\":{\"type\":\"push\"}}";
                assertThat(browser.fetchStatus("PUT", "/api/v1/cameras/forged", forged, true)).as("forged admin request").isEqualTo(403);
                assertThat(browser.fetchStatus("DELETE", "/api/v1/cameras/forged", null, false)).as("no CSRF token").isEqualTo(403);
                assertThat(get("/api/v1/cameras/forged", adminKey).statusCode()).as("forged camera not created").isEqualTo(404);

                // sign out: the cookie is gone, the API refuses the browser
                browser.signOut();
                assertThat(browser.fetchStatus("GET", "/api/v1/me", null, false)).isEqualTo(401);
                ConsoleInChromium.assertNoConsoleErrors(browser);
            } catch (Throwable failed) {
                browser.saveFailure();
                throw failed;
            }
        }
    }

    /**
     * A low-confidence "where is ...?" question in the console: the VLM's answer appears piece by piece while it is
     * generated (recorded by a MutationObserver), then the answer card with the box the model gave drawn on the
     * evidence frame, labelled, where the model put it, and its centre as the point.
     */
    private static void askWhereTheAstronautIsAndSeeTheAnswerStreamAndItsBox(ConsoleInChromium browser) throws Exception {
        browser.script("""
                window.sightlinePartials = [];
                new MutationObserver(() => {
                  const partial = document.getElementById('answer-stream');
                  if (partial && !document.getElementById('answer-text')) window.sightlinePartials.push(partial.textContent);
                }).observe(document.getElementById('answer'), { subtree: true, childList: true, characterData: true });""");
        browser.type(By.id("ask-question"), "where is the astronaut?");
        browser.type(By.id("ask-confidence"), "0.2");
        browser.driver().findElement(By.cssSelector("#ask-form button[type=submit]")).click();
        await("streamed answer").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(browser.text(By.id("answer-text"))).isEqualTo(WHERE_ANSWER));
        @SuppressWarnings("unchecked")
        List<String> partials = ((List<Object>) browser.script("return window.sightlinePartials")).stream().map(String::valueOf)
                .filter(p -> !p.isBlank()).distinct().toList();
        assertThat(partials).as("partial answers shown while the VLM generated").hasSizeGreaterThan(2)
                .allSatisfy(p -> assertThat(WHERE_ANSWER).startsWith(p));
        assertThat(partials.get(0).length()).isLessThan(WHERE_ANSWER.length() / 2);
        assertThat(Integer.parseInt(browser.driver().findElement(By.id("answer")).getDomAttribute("data-tokens"))).isGreaterThan(5);
        assertThat(browser.text(By.id("answer"))).contains("by the VLM with the frame");

        await("evidence frame with the box").atMost(Duration.ofSeconds(20)).until(() -> browser.showsImage(By.id("evidence-image")));
        @SuppressWarnings("unchecked")
        Map<String, Object> at = (Map<String, Object>) browser.script("""
                const frame = document.getElementById('evidence-image').getBoundingClientRect();
                const box = document.getElementById('answer-box').getBoundingClientRect();
                const point = document.getElementById('answer-point').getBoundingClientRect();
                return { x: (box.left - frame.left) / frame.width, y: (box.top - frame.top) / frame.height,
                         w: box.width / frame.width, h: box.height / frame.height,
                         px: (point.left + point.width / 2 - frame.left) / frame.width, py: (point.top + point.height / 2 - frame.top) / frame.height };""");
        // bbox_2d [128, 64, 384, 448] of the 512x512 frame: 25%, 12.5%, 50% wide, 75% high (borders make a pixel or two)
        assertThat(((Number) at.get("x")).doubleValue()).isCloseTo(0.25, within(0.02));
        assertThat(((Number) at.get("y")).doubleValue()).isCloseTo(0.125, within(0.02));
        assertThat(((Number) at.get("w")).doubleValue()).isCloseTo(0.5, within(0.02));
        assertThat(((Number) at.get("h")).doubleValue()).isCloseTo(0.75, within(0.02));
        assertThat(((Number) at.get("px")).doubleValue()).isCloseTo(0.5, within(0.02));
        assertThat(((Number) at.get("py")).doubleValue()).isCloseTo(0.5, within(0.02));
        assertThat(browser.driver().findElement(By.id("answer-box")).getDomAttribute("aria-label")).contains("astronaut", "25%, 13%", "75%, 88%");
        browser.screenshot("ask-where");
    }

    /**
     * The push camera's tile shows the exact kcat line that feeds it through Kafka (topic frames, key = camera id,
     * frame-id/camera/content-type/captured-at headers, the broker the gateway uses); run as shown (with a real JPEG
     * for frame.jpg), it writes a record that the frames contract accepts and caption-service captions.
     */
    private static void assertKcatLineOfThePushCameraFeedsIt(ConsoleInChromium browser, String camera) throws Exception {
        By kcat = By.cssSelector("[data-camera='" + camera + "'] pre[data-feed='kcat']");
        await("kcat line").atMost(Duration.ofSeconds(20)).until(() -> !browser.driver().findElements(kcat).isEmpty());
        String line = String.valueOf(browser.script("return arguments[0].textContent", browser.driver().findElement(kcat)));
        assertThat(line).startsWith("kcat -P -b " + TestBroker.bootstrapServers() + " -t frames -k " + camera + " ")
                .contains("-H frame-id=$(cat /proc/sys/kernel/random/uuid)").contains("-H camera=" + camera)
                .contains("-H content-type=image/jpeg").contains("-H captured-at=$(date +%s%3N)").endsWith(" frame.jpg");
        if (!Files.isExecutable(Path.of("/usr/bin/kcat"))) {
            if (TestAssets.required()) {
                throw TestAssets.unavailable("Debian kcat is not installed (apt-get install kcat)");
            }
            System.out.println("E2E kcat not installed: the console's kcat line was checked as text only");
            return;
        }
        Path jpeg = Files.createTempFile("kcat-frame-", ".jpg");
        try (io.sightline.testsupport.TopicReader frames = io.sightline.testsupport.TopicReader.fromNow(Topics.FRAMES)) {
            Files.write(jpeg, TestImages.jpeg("astronaut.png").bytes());
            String command = line.substring(0, line.length() - "frame.jpg".length()) + "'" + jpeg + "'";
            Process kcatRun = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
            assertThat(kcatRun.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("kcat finished").isTrue();
            String kcatOutput = new String(kcatRun.getInputStream().readAllBytes());
            assertThat(kcatRun.exitValue()).as("kcat: " + kcatOutput).isZero();
            var record = frames.awaitOne(r -> camera.equals(r.key()), Duration.ofSeconds(30));
            var frame = io.sightline.common.frame.FrameRecordCodec.fromRecord(record.key(), record.headers(), record.value());
            assertThat(frame.camera()).isEqualTo(camera);
            assertThat(frame.contentType()).isEqualTo("image/jpeg");
            assertThat(frame.image()).isEqualTo(Files.readAllBytes(jpeg));
            String frameId = frame.frameId().toString();
            await("caption of the kcat frame").atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                    assertThat(captions(JSON.readTree(get("/api/v1/captions?camera=" + camera + "&limit=20", viewerKey).body())))
                            .anySatisfy(c -> assertThat(c.path("frame_id").asText()).isEqualTo(frameId)));
            System.out.println("E2E kcat line fed frame " + frameId + " to " + camera + ": " + command.replace('\n', ' '));
        } finally {
            Files.deleteIfExists(jpeg);
        }
    }

    /**
     * Keyboard only, from a freshly loaded page: Tab reaches the skip link, then the main navigation in order, each
     * with a visible focus outline; Enter on "Ask" opens the Ask page; Tab reaches the camera picker (arrow keys pick
     * the camera) and the question; Enter asks, and the answer appears.
     */
    private static void navigateAndAskWithTheKeyboardOnly(ConsoleInChromium browser, String camera) {
        browser.go("cameras");
        browser.driver().navigate().refresh();
        await("signed in again").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(By.id("signout")));
        ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.TAB);
        assertThat(ConsoleAccessibility.assertVisibleFocus(browser, "skip link").get("text")).isEqualTo("Skip to content");
        for (String page : List.of("cameras", "ask")) {
            ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.TAB);
            assertThat(ConsoleAccessibility.assertVisibleFocus(browser, "nav link " + page).get("page")).isEqualTo(page);
        }
        ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.ENTER);
        await("ask page by keyboard").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(By.id("ask-question"))
                && "ask".equals(browser.driver().findElement(By.id("view")).getDomAttribute("data-page")));
        for (int i = 0; i < 12 && !"ask-camera".equals(ConsoleAccessibility.focused(browser).get("id")); i++) {
            ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.TAB);
            ConsoleAccessibility.assertVisibleFocus(browser, "element on the way to the camera picker");
        }
        assertThat(ConsoleAccessibility.focused(browser).get("id")).as("camera picker reached with Tab").isEqualTo("ask-camera");
        ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.HOME);
        for (int i = 0; i < 20 && !camera.equals(browser.script("return document.getElementById('ask-camera').value")); i++) {
            ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.ARROW_DOWN);
        }
        assertThat(browser.script("return document.getElementById('ask-camera').value")).as("camera picked with arrow keys").isEqualTo(camera);
        ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.TAB);
        assertThat(ConsoleAccessibility.assertVisibleFocus(browser, "question").get("id")).isEqualTo("ask-question");
        ConsoleAccessibility.press(browser, "how many people are there?", org.openqa.selenium.Keys.ENTER);
        await("answer asked by keyboard").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(browser.text(By.id("answer-text"))).containsPattern("(?i)\\b(1|one) person\\b"));
    }

    /**
     * On the System page an admin clicks Stop, then Start, on the hosted tiny model: the state goes to stopped, then
     * through starting to ready (seen live in the row, progress bar while it moves), and vlm-service agrees.
     */
    private static void stopAndStartTinyFromTheSystemPage(ConsoleInChromium browser) throws Exception {
        String row = "#models tr[data-model='tiny'] ";
        By state = By.cssSelector(row + ".badge");
        By start = By.cssSelector(row + "button[data-action='start-model']");
        By stop = By.cssSelector(row + "button[data-action='stop-model']");
        await("tiny's Start/Stop").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(start) && browser.visible(stop));
        assertThat(browser.driver().findElements(By.cssSelector("#models tr[data-model='stand-in'] button:not([hidden])")))
                .as("a remote model has no Start/Stop").isEmpty();
        // every state the row shows, as it changes
        browser.script("""
                window.tinyStates = [document.querySelector(arguments[0]).textContent];
                new MutationObserver(() => { const s = document.querySelector(arguments[0]).textContent;
                  if (window.tinyStates[window.tinyStates.length - 1] !== s) window.tinyStates.push(s); })
                  .observe(document.querySelector('#models tbody'), { subtree: true, childList: true, characterData: true });
                """, row + ".badge");
        if (!browser.text(state).equals("ready")) {
            browser.driver().findElement(start).click();
            await("tiny ready before the stop").atMost(Duration.ofSeconds(60)).until(() -> browser.text(state).equals("ready"));
        }
        browser.driver().findElement(stop).click();
        await("tiny stopped").atMost(Duration.ofSeconds(60)).until(() -> browser.text(state).equals("stopped"));
        assertThat(JSON.readTree(get("/api/v1/models/tiny", viewerKey).body()).path("state").asText()).isEqualTo("stopped");
        await("Start enabled").atMost(Duration.ofSeconds(10)).until(() -> browser.driver().findElement(start).isEnabled());
        browser.driver().findElement(start).click();
        await("tiny ready after Start").atMost(Duration.ofSeconds(60)).until(() -> browser.text(state).equals("ready"));
        assertThat(JSON.readTree(get("/api/v1/models/tiny", viewerKey).body()).path("state").asText()).isEqualTo("ready");
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) browser.script("return window.tinyStates");
        System.out.println("E2E tiny's states on the System page: " + seen);
        String joined = String.join(",", seen);
        assertThat(joined).as("shown live: " + seen).containsPattern("stopping.*stopped.*starting.*ready");
        assertThat(browser.text(By.cssSelector(row + "[data-error-for='tiny']"))).as("no error shown").isEmpty();
        browser.screenshot("system-models");
    }

    /** WCAG AA (4.5:1, large text 3:1), computed in the browser, on the Cameras, Ask, Watch and System pages (ends on System). */
    private static void assertTextContrastMeetsWcagAa(ConsoleInChromium browser) {
        for (String page : List.of("system", "cameras", "ask", "watch", "system")) {
            browser.go(page);
            await(page + " rendered").atMost(Duration.ofSeconds(20)).until(() -> browser.text(By.id("view")).length() > 40);
            assertThat(ConsoleAccessibility.contrastFailures(browser)).as("text below WCAG AA contrast on " + page).isEmpty();
        }
        await("system page again").atMost(Duration.ofSeconds(20)).until(() -> browser.text(By.id("models")).contains("tiny"));
    }

    /**
     * The sign-in form by keyboard only (Tab to the button and back, the key typed, Enter), then from a freshly loaded
     * page Tab through the whole navigation to "Sign out" and Enter; ends signed out. Also checks the sign-in
     * screen's contrast.
     */
    private static void signInAndOutWithTheKeyboardOnly(ConsoleInChromium browser, String key) {
        await("sign-in form").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(By.id("api-key")));
        assertThat(ConsoleAccessibility.contrastFailures(browser)).as("text below WCAG AA contrast on the sign-in screen").isEmpty();
        ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.TAB);
        assertThat(ConsoleAccessibility.assertVisibleFocus(browser, "sign-in button").get("text")).isEqualTo("Sign in");
        ConsoleAccessibility.shiftTab(browser);
        assertThat(ConsoleAccessibility.assertVisibleFocus(browser, "key input").get("id")).isEqualTo("api-key");
        ConsoleAccessibility.press(browser, key, org.openqa.selenium.Keys.ENTER);
        await("signed in by keyboard").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(By.id("signout")));

        browser.driver().navigate().refresh();
        await("signed in after reload").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(By.id("signout")));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 12 && !"signout".equals(ConsoleAccessibility.focused(browser).get("id")); i++) {
            ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.TAB);
            Map<String, Object> f = ConsoleAccessibility.assertVisibleFocus(browser, "header element");
            order.add(String.valueOf(f.get("page")).isEmpty() ? String.valueOf(f.get("id").toString().isEmpty() ? f.get("text") : f.get("id"))
                    : String.valueOf(f.get("page")));
        }
        assertThat(order).as("Tab order of the header").containsExactly("Skip to content", "cameras", "ask", "search", "watch", "system", "signout");
        ConsoleAccessibility.press(browser, org.openqa.selenium.Keys.ENTER);
        await("signed out by keyboard").atMost(Duration.ofSeconds(20)).until(() -> browser.visible(By.id("api-key")));
    }

    /** A viewer's System page shows the models but no Start/Stop, and vlm-service is not reachable for a viewer's stop. */
    private static void assertAViewerHasNoModelStartStop(ConsoleInChromium browser) throws Exception {
        browser.go("system");
        await("viewer's models").atMost(Duration.ofSeconds(20)).until(() -> browser.text(By.id("models")).contains("tiny"));
        assertThat(browser.driver().findElements(By.cssSelector("#models button, [data-action='start-model'], [data-action='stop-model']")))
                .as("model Start/Stop for a viewer").isEmpty();
        assertThat(send("POST", "/api/v1/models/tiny/stop", viewerKey, null, null).statusCode()).as("viewer stop").isEqualTo(403);
        assertThat(JSON.readTree(get("/api/v1/models/tiny", viewerKey).body()).path("state").asText()).isEqualTo("ready");
        browser.go("cameras");
    }

    /**
     * Last, because it swaps caption-service to the caption-server tier: every kind of VLM call in the stack
     * reaches a model only through vlm-service, each in its priority class, as vlm-service's queue shows.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void everyVlmCallGoesThroughVlmServiceInItsPriorityClass() throws Exception {
        String camera = "porch";
        HttpResponse<String> created = send("PUT", "/api/v1/cameras/" + camera, adminKey,
                "application/json", "{\"source\":{\"type\":\"push\"}}".getBytes());
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        byte[] astronaut = Files.readAllBytes(TestImages.image("astronaut.png"));
        assertThat(send("POST", "/api/v1/frames/" + camera, operatorKey, "image/png", astronaut).statusCode()).isEqualTo(202);

        // interactive: a low-confidence question reaches the stand-in through vlm-service, with the frame
        await("query answered by the VLM").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode unsure = query(camera, "is anyone holding a parcel?", 0.1);
            assertThat(unsure.path("response_mode").asText()).as(unsure.toString()).isEqualTo("vlm_image");
            assertThat(unsure.path("answer").asText()).isEqualTo(VLM_ANSWER);
        });

        // watch: a watch job iterates on the stand-in through vlm-service
        HttpResponse<String> watch = send("POST", "/api/v1/watch", operatorKey, "application/json",
                ("{\"camera\":\"" + camera + "\",\"condition\":\"someone is holding a parcel\",\"max_duration_minutes\":5}").getBytes());
        assertThat(watch.statusCode()).as(watch.body()).isIn(200, 201, 202);
        String jobId = JSON.readTree(watch.body()).path("id").asText();
        await("a watch iteration").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode job = JSON.readTree(get("/api/v1/watch/" + jobId, operatorKey).body());
            assertThat(job.path("iterations").asInt()).as(job.toString()).isGreaterThanOrEqualTo(1);
            assertThat(job.path("last_reasoning").asText()).isEqualTo("Nobody is holding a parcel.");
        });
        send("DELETE", "/api/v1/watch/" + jobId, operatorKey, null, null);

        // the gateway's /v1: a batch key asking for priority 1 is served as batch by vlm-service
        HttpResponse<String> chat = send("POST", "/v1/chat/completions?priority=1", batchKey, "application/json",
                "{\"model\":\"stand-in\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}".getBytes());
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(chat.headers().firstValue("X-Sightline-Priority-Class")).hasValue("batch");

        // batch: caption-service on the caption-server tier gets its captions from the tiny model vlm-service hosts
        captionService.close();
        services.remove(captionService);
        Map<String, String> captionServerTier = new LinkedHashMap<>(captionEnv);
        captionServerTier.put("SIGHTLINE_VISION_BACKEND", "caption-server");
        captionService = ServiceProcess.start("caption-service", captionPort, captionServerTier);
        services.add(captionService);
        captionService.awaitReady(Duration.ofSeconds(180));
        String yard = "yard";
        created = send("PUT", "/api/v1/cameras/" + yard, adminKey, "application/json", "{\"source\":{\"type\":\"push\"}}".getBytes());
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        HttpResponse<String> pushed = send("POST", "/api/v1/frames/" + yard, operatorKey, "image/png",
                Files.readAllBytes(TestImages.image("chelsea.png")));
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(202);
        String frameId = JSON.readTree(pushed.body()).path("frame_id").asText();
        await("a caption from the caption-server tier").atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            JsonNode captions = captions(JSON.readTree(get("/api/v1/captions?camera=" + yard + "&limit=10", viewerKey).body()));
            assertThat(captions).anySatisfy(c -> {
                assertThat(c.path("frame_id").asText()).isEqualTo(frameId);
                assertThat(c.path("backend").asText()).isEqualTo("caption-server");
            });
        });

        // the model's state and progress through the gateway, as JSON and as Server-Sent Events
        HttpResponse<String> tiny = get("/api/v1/models/tiny", viewerKey);
        assertThat(tiny.statusCode()).as(tiny.body()).isEqualTo(200);
        assertThat(JSON.readTree(tiny.body()).path("state").asText()).isEqualTo("ready");
        assertThat(JSON.readTree(tiny.body()).path("vision").asBoolean()).isTrue();
        HttpResponse<Stream<String>> events = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/models/tiny/events"))
                .header("Authorization", "Bearer " + viewerKey).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(events.statusCode()).isEqualTo(200);
        try (Stream<String> lines = events.body()) {
            String first = lines.filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
            assertThat(JSON.readTree(first.substring(5).trim()).path("id").asText()).isEqualTo("tiny");
        }

        // vlm-service's queue saw each call in its class: tiny (hosted) batch, stand-in interactive, watch and batch
        HttpResponse<String> queue = HTTP.send(HttpRequest.newBuilder(URI.create(vlmService.baseUrl() + "/api/v1/queue"))
                .header("Authorization", "Bearer " + internalToken).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(queue.statusCode()).as(queue.body()).isEqualTo(200);
        Map<String, JsonNode> byModel = new LinkedHashMap<>();
        JSON.readTree(queue.body()).forEach(m -> byModel.put(m.path("model").asText(), m.path("classes")));
        System.out.println("E2E vlm-service queue: " + queue.body());
        assertThat(byModel.get("tiny").path("batch").path("served").asLong()).as(queue.body()).isGreaterThanOrEqualTo(1);
        assertThat(byModel.get("tiny").path("interactive").path("served").asLong()).isZero();
        JsonNode standIn = byModel.get("stand-in");
        assertThat(standIn.path("interactive").path("served").asLong()).as(queue.body()).isGreaterThanOrEqualTo(1);
        assertThat(standIn.path("watch").path("served").asLong()).as(queue.body()).isGreaterThanOrEqualTo(1);
        assertThat(standIn.path("batch").path("served").asLong()).as(queue.body()).isGreaterThanOrEqualTo(1);
        assertThat(vlm.requests()).as("the watch job's prompt reached the stand-in").anySatisfy(r ->
                assertThat(r.text()).contains("someone is holding a parcel"));
    }

    private static String pushWithKey(String camera, byte[] png, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/frames/" + camera))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + operatorKey)
                .header("Content-Type", "image/png").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build();
        HttpResponse<String> pushed = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(202);
        return JSON.readTree(pushed.body()).path("frame_id").asText();
    }

    @Test
    void missingKeyIsUnauthorizedAndViewerMayNotQuery() throws Exception {
        HttpResponse<String> anonymous = send("POST", "/api/v1/query", null, "application/json",
                "{\"camera\":\"door\",\"query\":\"anyone there?\"}".getBytes());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(anonymous.body()).path("status").asInt()).isEqualTo(401);

        HttpResponse<String> viewer = send("POST", "/api/v1/query", viewerKey, "application/json",
                "{\"camera\":\"door\",\"query\":\"anyone there?\"}".getBytes());
        assertThat(viewer.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(viewer.body()).path("status").asInt()).isEqualTo(403);

        assertThat(get("/api/v1/cameras", viewerKey).statusCode()).isEqualTo(200);
    }

    private static boolean subscribed(CompletableFuture<HttpResponse<Stream<String>>> stream) {
        return stream.isDone() && !stream.isCompletedExceptionally();
    }

    private static JsonNode captions(JsonNode body) {
        return body.isArray() ? body : body.path("captions");
    }

    private static JsonNode query(String camera, String text, Double confidence) throws Exception {
        var body = JSON.createObjectNode().put("camera", camera).put("query", text);
        if (confidence != null) {
            body.put("confidence", confidence);
        }
        HttpResponse<String> response = send("POST", "/api/v1/query", operatorKey, "application/json",
                JSON.writeValueAsBytes(body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String path, String key) throws Exception {
        return send("GET", path, key, null, null);
    }

    private static HttpResponse<String> send(String method, String path, String key, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String random() {
        byte[] bytes = new byte[16];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
