package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CredentialMaskTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void userInfoInAnyUrlIsMasked() {
        assertThat(CredentialMask.maskText("rtsp://admin:hunter2@10.0.0.5:554/stream1")).isEqualTo("rtsp://***@10.0.0.5:554/stream1");
        assertThat(CredentialMask.maskText("http://token@cam.local/mjpeg")).isEqualTo("http://***@cam.local/mjpeg");
        assertThat(CredentialMask.maskText("failed to open rtsp://u:p@h/x: timeout")).isEqualTo("failed to open rtsp://***@h/x: timeout");
    }

    @Test
    void secretQueryParametersAreMaskedOthersKept() {
        assertThat(CredentialMask.maskText("http://cam/snapshot.cgi?user=admin&pwd=s3cret&channel=1"))
                .isEqualTo("http://cam/snapshot.cgi?user=***&pwd=***&channel=1");
        assertThat(CredentialMask.maskText("https://cam/api?token=abc#frag")).isEqualTo("https://cam/api?token=***#frag");
    }

    @Test
    void urlsWithoutCredentialsAndPlainTextAreUnchanged() {
        assertThat(CredentialMask.maskText("rtsp://10.0.0.5/stream")).isEqualTo("rtsp://10.0.0.5/stream");
        assertThat(CredentialMask.maskText("someone@example.com wrote")).isEqualTo("someone@example.com wrote");
        assertThat(CredentialMask.maskText("/data/cams/demo.mp4")).isEqualTo("/data/cams/demo.mp4");
    }

    @Test
    void nestedCameraDocumentsHaveEverySecretMasked() throws Exception {
        JsonNode in = JSON.readTree("""
                {"cameras":[{"id":"door","source":{"url":"rtsp://a:b@h/s","password":"p4ss"},
                 "last_error":"connect to rtsp://a:b@h/s refused","api_key":"k-123","fps":1.0,
                 "aliases":["http://x:y@h2/"]}]}""");
        JsonNode out = CredentialMask.mask(in);
        String text = out.toString();
        assertThat(text).doesNotContain("a:b").doesNotContain("p4ss").doesNotContain("k-123").doesNotContain("x:y");
        assertThat(out.at("/cameras/0/source/url").asText()).isEqualTo("rtsp://***@h/s");
        assertThat(out.at("/cameras/0/fps").asDouble()).isEqualTo(1.0);
        assertThat(out.at("/cameras/0/id").asText()).isEqualTo("door");
        assertThat(in.at("/cameras/0/source/password").asText()).as("input untouched").isEqualTo("p4ss");
    }
}
