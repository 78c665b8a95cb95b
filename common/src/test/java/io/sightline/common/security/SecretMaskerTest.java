package io.sightline.common.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecretMaskerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void userInfoInAnyUrlIsMasked() {
        assertThat(SecretMasker.mask("rtsp://admin:hunter2@10.0.0.5:554/stream1")).isEqualTo("rtsp://***@10.0.0.5:554/stream1");
        assertThat(SecretMasker.mask("http://token@cam.local/mjpeg")).isEqualTo("http://***@cam.local/mjpeg");
        assertThat(SecretMasker.mask("failed to open rtsp://u:p@h/x: timeout")).isEqualTo("failed to open rtsp://***@h/x: timeout");
    }

    @Test
    void secretQueryParametersAreMaskedOthersKept() {
        assertThat(SecretMasker.mask("http://cam/snapshot.cgi?user=admin&pwd=s3cret&channel=1"))
                .isEqualTo("http://cam/snapshot.cgi?user=***&pwd=***&channel=1");
        assertThat(SecretMasker.mask("https://cam/api?token=abc#frag")).isEqualTo("https://cam/api?token=***#frag");
    }

    @Test
    void urlsWithoutCredentialsAndPlainTextAreUnchanged() {
        assertThat(SecretMasker.mask("rtsp://10.0.0.5/stream")).isEqualTo("rtsp://10.0.0.5/stream");
        assertThat(SecretMasker.mask("someone@example.com wrote")).isEqualTo("someone@example.com wrote");
        assertThat(SecretMasker.mask("/data/cams/demo.mp4")).isEqualTo("/data/cams/demo.mp4");
    }

    @Test
    void nestedCameraDocumentsHaveEverySecretMasked() throws Exception {
        JsonNode in = JSON.readTree("""
                {"cameras":[{"id":"door","source":{"url":"rtsp://a:b@h/s","password":"p4ss"},
                 "last_error":"connect to rtsp://a:b@h/s refused","api_key":"k-123","fps":1.0,
                 "aliases":["http://x:y@h2/"]}]}""");
        JsonNode out = SecretMasker.mask(in);
        String text = out.toString();
        assertThat(text).doesNotContain("a:b").doesNotContain("p4ss").doesNotContain("k-123").doesNotContain("x:y");
        assertThat(out.at("/cameras/0/source/url").asText()).isEqualTo("rtsp://***@h/s");
        assertThat(out.at("/cameras/0/fps").asDouble()).isEqualTo(1.0);
        assertThat(out.at("/cameras/0/id").asText()).isEqualTo("door");
        assertThat(in.at("/cameras/0/source/password").asText()).as("input untouched").isEqualTo("p4ss");
    }

    @Test
    void everyCommonCredentialParameterIsMasked() {
        assertThat(SecretMasker.mask("http://cam/a?password=p1&key=k1&auth=a1&access_token=t1&username=u1&apikey=x1&mode=day"))
                .isEqualTo("http://cam/a?password=***&key=***&auth=***&access_token=***&username=***&apikey=***&mode=day");
        assertThat(SecretMasker.mask("rtsp://cam/live;user=admin;pwd=secret")).isEqualTo("rtsp://cam/live;user=***;pwd=***");
    }

    @Test
    void scrubRemovesTheUrlsSecretsWhereverAMessageQuotesThem() {
        String url = "http://admin:hunter22@cam.local/snap.cgi?user=admin&pwd=s%40cret&channel=1";
        String message = "Failed to open http://192.168.1.9/snap.cgi?user=admin&pwd=s%40cret: auth for admin/s@cret refused";
        String scrubbed = SecretMasker.scrub(message, url);
        assertThat(scrubbed).doesNotContain("s%40cret").doesNotContain("s@cret").doesNotContain("hunter22")
                .contains("192.168.1.9/snap.cgi?user=***&pwd=***");
        assertThat(SecretMasker.scrub("open " + url + " failed", url)).isEqualTo(
                "open http://***@cam.local/snap.cgi?user=***&pwd=***&channel=1 failed");
    }
}
