package io.sightline.capture.service;

import io.sightline.capture.camera.CameraSpec;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.camera.SourceType;
import io.sightline.common.net.HostResolver;
import io.sightline.common.net.OutboundAddressPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test profile allows loopback (stand-in cameras live there); this shows that the production default
 * refuses a camera on this host, on the resolved address of a name, before any connection is attempted.
 */
class ProductionOutboundPolicyTest {

    @Test
    void productionDefaultRefusesLoopbackCamerasWithoutConnecting(@TempDir Path dir) throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            listener.setSoTimeout(300);
            int port = listener.getLocalPort();
            // "camera.home.test" is not in DNS: the resolver stands in and answers with the listener's address
            HostResolver resolver = host -> host.equals("camera.home.test")
                    ? new InetAddress[] {InetAddress.getByName("127.0.0.1")} : HostResolver.SYSTEM.resolve(host);
            OutboundAddressPolicy production = OutboundAddressPolicy.defaults(resolver);
            MediaRoots media = new MediaRoots(List.of(dir));
            for (Map.Entry<SourceType, String> source : Map.of(
                    SourceType.SNAPSHOT, "http://camera.home.test:" + port + "/snapshot.jpg",
                    SourceType.MJPEG, "http://localhost:" + port + "/video.mjpg",
                    SourceType.RTSP, "rtsp://admin:pw@127.0.0.1:" + port + "/stream1").entrySet()) {
                assertThatThrownBy(() -> CameraSpecValidator.validate("cam", new CameraSpec("cam",
                        new SourceSpec(source.getKey(), source.getValue(), null, null), null, null, null), production, media))
                        .as(source.getValue())
                        .isInstanceOfSatisfying(CaptureRejection.class, e -> {
                            assertThat(e.error()).isEqualTo("destination_refused");
                            assertThat(e.getMessage()).contains("loopback").doesNotContain("pw");
                        });
            }
            assertThatThrownBy(listener::accept).as("no connection reached the listener").isInstanceOf(SocketTimeoutException.class);

            // the same camera passes once loopback is allowed explicitly, as the test profile does
            OutboundAddressPolicy testProfile = new OutboundAddressPolicy(List.of("127.0.0.0/8", "::1/128"), List.of(), true,
                    List.of(8080, 8081, 8082, 8083, 9092, 9093), resolver);
            CameraSpec ok = CameraSpecValidator.validate("cam", new CameraSpec("cam",
                    new SourceSpec(SourceType.SNAPSHOT, "http://camera.home.test:" + port + "/snapshot.jpg", null, null),
                    null, null, null), testProfile, media);
            assertThat(ok.source().url()).contains("camera.home.test");
        }
    }
}
