package io.sightline.gateway.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.VlmException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.GatewayException;
import io.sightline.gateway.security.ApiKey;
import io.sightline.gateway.security.PriorityClass;
import io.sightline.gateway.security.Role;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How VLM failures and priorities map to what an OpenAI client sees. */
class ChatCompletionsRulesTest {

    private static final ChatCompletions RULES = new ChatCompletions(config(), null, new SimpleMeterRegistry());

    private static GatewayConfig config() {
        Object vlm = Proxy.newProxyInstance(GatewayConfig.Vlm.class.getClassLoader(), new Class<?>[] {GatewayConfig.Vlm.class},
                (p, m, a) -> m.getName().equals("baseUrl") ? java.util.Optional.empty() : null);
        return (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(), new Class<?>[] {GatewayConfig.class},
                (p, m, a) -> m.getName().equals("internalToken") ? java.util.Optional.empty() : vlm);
    }

    @Test
    void fullQueueIs429WithTheRetryAfterTheQueueSuggests() {
        GatewayException e = ChatCompletions.translate(new VlmException(VlmException.Kind.OVERLOADED, "64 waiting", 0,
                Duration.ofSeconds(3), null));
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(ChatCompletions.translate(new VlmException(VlmException.Kind.OVERLOADED, "full")).retryAfter()).isPresent();
    }

    @Test
    void vlmFailuresMapToGatewayStatuses() {
        assertThat(ChatCompletions.translate(new VlmException(VlmException.Kind.TIMEOUT, "60 s")).status()).isEqualTo(504);
        assertThat(ChatCompletions.translate(new VlmException(VlmException.Kind.UNAVAILABLE, "refused")).status()).isEqualTo(503);
        assertThat(ChatCompletions.translate(new VlmException(VlmException.Kind.SERVER_ERROR, "500")).status()).isEqualTo(502);
        assertThat(ChatCompletions.translate(new VlmException(VlmException.Kind.BAD_RESPONSE, "garbage")).status()).isEqualTo(502);
        assertThat(ChatCompletions.translate(new VlmException(VlmException.Kind.REJECTED, "too many tokens", 422, null, null)).status())
                .isEqualTo(422);
    }

    @Test
    void priorityComesFromQueryThenHeaderClampedToTheKeysEntitlement() {
        ApiKey interactive = new ApiKey("a", Role.OPERATOR, PriorityClass.INTERACTIVE);
        ApiKey batch = new ApiKey("b", Role.OPERATOR, PriorityClass.BATCH);
        ApiKey watch = new ApiKey("c", Role.OPERATOR, PriorityClass.WATCH);
        assertThat(RULES.priority(null, null, interactive)).isEqualTo(Priority.INTERACTIVE);
        assertThat(RULES.priority(null, null, batch)).isEqualTo(Priority.BATCH);
        assertThat(RULES.priority("1", "10", batch)).isEqualTo(Priority.BATCH);
        assertThat(ChatCompletions.effectiveLevel("1", null, batch)).isEqualTo(9);
        assertThat(ChatCompletions.effectiveLevel(null, "1", watch)).isEqualTo(6);
        assertThat(ChatCompletions.effectiveLevel(null, "10", watch)).isEqualTo(10);
        assertThat(ChatCompletions.effectiveLevel("3", null, interactive)).isEqualTo(3);
        assertThat(RULES.priority(null, "10", interactive)).isEqualTo(Priority.BATCH);
        assertThat(RULES.priority("5", null, batch)).isEqualTo(Priority.BATCH);
        assertThat(RULES.priority("5", null, interactive)).isEqualTo(Priority.INTERACTIVE);
        assertThat(RULES.priority("6", null, interactive)).isEqualTo(Priority.WATCH);
        assertThat(RULES.priority("9", null, interactive)).isEqualTo(Priority.BATCH);
        assertThatThrownBy(() -> RULES.priority("0", null, interactive)).isInstanceOf(GatewayException.class);
        assertThatThrownBy(() -> RULES.priority("high", null, interactive)).isInstanceOf(GatewayException.class);
    }

    @Test
    void requestsAreCheckedBeforeTheyReachTheVlm() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThatThrownBy(() -> RULES.prepare(json.readTree("[]"))).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> RULES.prepare(json.readTree("{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}")))
                .hasMessageContaining("role");
        assertThatThrownBy(() -> RULES.prepare(json.readTree(
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"file:///etc/passwd\"}}]}]}")))
                .hasMessageContaining("not fetched");
        assertThatThrownBy(() -> RULES.prepare(json.readTree("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}")))
                .hasMessageContaining("stream");
        var ok = json.readTree("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(RULES.prepare(ok)).as("asks to stream").isTrue();
        assertThat(ok.path("model").asText()).as("passed on to vlm-service as named").isEqualTo("gpt-4o");
        var unnamed = json.readTree("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(RULES.prepare(unnamed)).isFalse();
        assertThat(unnamed.path("model").asText()).as("vlm-service's default model").isEqualTo("default");
        assertThatThrownBy(() -> RULES.prepare(json.readTree("{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")))
                .hasMessageContaining("'model' must be a string");
    }
}
