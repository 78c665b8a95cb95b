package io.sightline.vlm.lifecycle;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.download.ModelDownloader;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TopicReader;
import io.sightline.vlm.support.MirrorProvisioningResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Provisioning end to end: a hosted model whose files are missing is downloaded on the first request (first
 * mirror refuses, second serves), shared by a concurrent request, its progress visible on
 * {@code /api/v1/models/{id}} and as {@code model.download} events, then started on the real llama-server.
 */
@EnabledIf(value = "io.sightline.vlm.support.RealLlamaServerResource#available",
        disabledReason = "the real llama-server is not built: run ../shared/tools/llama-server/setup.sh")
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(MirrorProvisioningResource.class)
class ProvisioningTest {

    @TestHTTPResource("/v1/chat/completions")
    URL chat;

    @Test
    void missingFilesAreDownloadedFromTheSecondMirrorOnFirstUseThenTheModelAnswers() throws Exception {
        long total = Files.size(MirrorProvisioningResource.text()) + Files.size(MirrorProvisioningResource.mmproj());
        assertThat(HostedLifecycleTest.model("fetched").path("state").asText()).isEqualTo("stopped");
        assertThat(HostedLifecycleTest.model("fetched").path("unavailable_reason").isNull()).isTrue();

        try (TopicReader lifecycle = TopicReader.fromNow(Topics.VLM_LIFECYCLE)) {
            CompletableFuture<HttpResponse<String>> first = HostedLifecycleTest.post(chat, HostedLifecycleTest.body("fetched", false, 4));
            CompletableFuture<HttpResponse<String>> second = HostedLifecycleTest.post(chat, HostedLifecycleTest.body("fetched", false, 4));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode m = HostedLifecycleTest.model("fetched");
                assertThat(m.path("state").asText()).isEqualTo("downloading");
                assertThat(m.path("download").path("total").asLong()).isEqualTo(total);
                assertThat(m.path("download").path("bytes").asLong()).isGreaterThan(0).isLessThan(total);
            });
            MirrorProvisioningResource.RELEASE.countDown();

            HttpResponse<String> a = first.get(90, TimeUnit.SECONDS);
            HttpResponse<String> b = second.get(90, TimeUnit.SECONDS);
            assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
            assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
            assertThat(HostedLifecycleTest.json(a.body().getBytes()).path("choices").get(0).path("message").has("content")).isTrue();

            JsonNode m = HostedLifecycleTest.model("fetched");
            assertThat(m.path("state").asText()).isEqualTo("ready");
            assertThat(m.path("download").path("bytes").asLong()).isEqualTo(total);
            assertThat(m.path("download").path("done").asBoolean()).isTrue();
            assertThat(m.path("download").path("eta_seconds").asLong()).isZero();
            // one download per file, shared by both requests, from the second mirror
            assertThat(MirrorProvisioningResource.REQUESTS).filteredOn(r -> r.startsWith("fetched-"))
                    .containsExactly("fetched-text.gguf", "fetched-mmproj.gguf");
            assertThat(ModelDownloader.sha256(MirrorProvisioningResource.modelsDir.resolve("fetched-text.gguf")))
                    .isEqualTo(ModelDownloader.sha256(MirrorProvisioningResource.text()));

            var downloads = lifecycle.await(r -> "fetched".equals(r.key())
                    && LifecycleEvent.DOWNLOAD.equals(HostedLifecycleTest.json(r.value()).path("event").asText())
                    && HostedLifecycleTest.json(r.value()).path("reason").asText().endsWith("done"), 1, Duration.ofSeconds(20));
            assertThat(HostedLifecycleTest.json(downloads.get(0).value()).path("reason").asText()).startsWith(total + "/" + total + " bytes");
        }
    }

    @Test
    void aVlmCaptionRequestedEventDownloadsTheFilesThenStartsTheModel() throws Exception {
        assertThat(HostedLifecycleTest.model("evented").path("state").asText()).isEqualTo("stopped");
        try (TopicReader lifecycle = TopicReader.fromNow(Topics.VLM_LIFECYCLE)) {
            // republished until the listener (latest offsets) has its partition; duplicates share one download
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                HostedLifecycleTest.publish(LifecycleEvent.REQUESTED, "evented");
                return !HostedLifecycleTest.model("evented").path("state").asText().equals("stopped");
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> HostedLifecycleTest.model("evented").path("state").asText().equals("ready"));

            assertThat(ModelDownloader.sha256(MirrorProvisioningResource.modelsDir.resolve("evented-text.gguf")))
                    .isEqualTo(ModelDownloader.sha256(MirrorProvisioningResource.text()));
            assertThat(MirrorProvisioningResource.REQUESTS).filteredOn(r -> r.startsWith("evented-")).containsExactly("evented-text.gguf");
            lifecycle.await(r -> "evented".equals(r.key())
                    && LifecycleEvent.DOWNLOAD.equals(HostedLifecycleTest.json(r.value()).path("event").asText())
                    && HostedLifecycleTest.json(r.value()).path("reason").asText().endsWith("done"), 1, Duration.ofSeconds(20));
            HttpResponse<String> r = HostedLifecycleTest.post(chat, HostedLifecycleTest.body("evented", false, 4)).get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @Test
    void unpinnedFilesAreTrustedOnFirstDownloadWithProgressOnTheEventStreamThenVerifiedAgainstTheRecordedDigest() throws Exception {
        Path dir = MirrorProvisioningResource.modelsDir;
        Path pins = dir.resolve(Sha256Pins.FILE_NAME);
        String textSha = ModelDownloader.sha256(MirrorProvisioningResource.text());
        String mmprojSha = ModelDownloader.sha256(MirrorProvisioningResource.mmproj());
        assertThat(HostedLifecycleTest.model("trusted").path("unavailable_reason").isNull()).isTrue();
        assertThat(HostedLifecycleTest.model("trusted").path("catalog").path("files").get(0).path("checksum").asText())
                .startsWith("recorded on first download");

        // the model's SSE stream, open before the first request
        List<String> events = new CopyOnWriteArrayList<>();
        HttpRequest watch = HttpRequest.newBuilder(URI.create(chat.toString().replace("/v1/chat/completions", "/api/v1/models/trusted/events")))
                .header("Accept", "text/event-stream").build();
        CompletableFuture<HttpResponse<Void>> stream = HttpClient.newHttpClient().sendAsync(watch,
                HttpResponse.BodyHandlers.fromLineSubscriber(new java.util.concurrent.Flow.Subscriber<String>() {
                    @Override
                    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(String line) {
                        if (line.startsWith("data:")) {
                            events.add(line.substring(5).trim());
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onComplete() {
                    }
                }));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
            assertThat(HostedLifecycleTest.json(events.get(0).getBytes()).path("state").asText()).isEqualTo("stopped");

            HttpResponse<String> first = HostedLifecycleTest.post(chat, HostedLifecycleTest.body("trusted", false, 4)).get(90, TimeUnit.SECONDS);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            Properties recorded = new Properties();
            try (var in = Files.newBufferedReader(pins)) {
                recorded.load(in);
            }
            assertThat(recorded.getProperty("trusted-text.gguf")).isEqualTo(textSha);
            assertThat(recorded.getProperty("trusted-mmproj.gguf")).isEqualTo(mmprojSha);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events)
                    .anySatisfy(e -> assertThat(HostedLifecycleTest.json(e.getBytes()).path("state").asText()).isEqualTo("ready"))
                    .anySatisfy(e -> assertThat(HostedLifecycleTest.json(e.getBytes()).path("download").path("done").asBoolean()).isTrue()));
        } finally {
            stream.cancel(true);
        }

        // idle-stopped; then the local copy is damaged and the upstream serves other bytes: the recorded digest catches both
        await().atMost(Duration.ofSeconds(30)).until(() -> HostedLifecycleTest.model("trusted").path("state").asText().equals("stopped"));
        Files.write(dir.resolve("trusted-text.gguf"), "not the file that was trusted".getBytes());
        MirrorProvisioningResource.upstreamChanged = true;
        HttpResponse<String> later = HostedLifecycleTest.post(chat, HostedLifecycleTest.body("trusted", false, 4)).get(60, TimeUnit.SECONDS);
        assertThat(later.statusCode()).as(later.body()).isEqualTo(503);
        JsonNode m = HostedLifecycleTest.model("trusted");
        assertThat(m.path("state").asText()).isEqualTo("failed");
        assertThat(m.path("last_failure").asText()).contains("download failed").contains("does not match the expected " + textSha);
        Properties after = new Properties();
        try (var in = Files.newBufferedReader(pins)) {
            after.load(in);
        }
        assertThat(after.getProperty("trusted-text.gguf")).as("the pin is not replaced by other bytes").isEqualTo(textSha);
    }

    @Test
    void aDownloadThatFailsItsChecksumLeavesTheModelFailedWithTheReason() throws Exception {
        HttpResponse<String> r = HostedLifecycleTest.post(chat, HostedLifecycleTest.body("broken", false, 4)).get(60, TimeUnit.SECONDS);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.body()).contains("download failed").contains("corrupt");
        JsonNode m = HostedLifecycleTest.model("broken");
        assertThat(m.path("state").asText()).isEqualTo("failed");
        assertThat(m.path("last_failure").asText()).contains("download failed").contains("broken-text.gguf").contains("sha256");
        assertThat(m.path("download").path("error").asText()).contains("corrupt");
        assertThat(MirrorProvisioningResource.modelsDir.resolve("broken-text.gguf")).doesNotExist();
        assertThat(MirrorProvisioningResource.modelsDir.resolve("broken-text.gguf.part")).doesNotExist();
    }
}
