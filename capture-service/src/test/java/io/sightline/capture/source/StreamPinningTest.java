package io.sightline.capture.source;

import com.sun.net.httpserver.HttpServer;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.camera.SourceType;
import io.sightline.common.net.OutboundAddressPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What FFmpeg opens for an MJPEG camera: the vetted address (the name exists only in the test's resolver,
 * so FFmpeg resolving it itself would fail), with the camera's name as Host header, and never a redirect.
 */
class StreamPinningTest {

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final List<String> hosts = new CopyOnWriteArrayList<>();
    private StreamSource source;

    @AfterEach
    void stop() {
        if (source != null) {
            source.stop();
        }
        servers.forEach(s -> s.stop(0));
    }

    private int server(int status, String location, AtomicInteger requests) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    @Test
    void ffmpegConnectsToTheVettedAddressAndFollowsNoRedirect() throws IOException {
        AtomicInteger target = new AtomicInteger();
        AtomicInteger redirecting = new AtomicInteger();
        int targetPort = server(200, null, target);
        int port = server(302, "http://127.0.0.1:" + targetPort + "/elsewhere.mjpg", redirecting);
        OutboundAddressPolicy policy = new OutboundAddressPolicy(List.of("127.0.0.1/32"), List.of(), true, List.of(), host -> {
            if (!host.equals("camera.pin.test")) {
                throw new java.net.UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        });
        AtomicReference<String> failure = new AtomicReference<>();
        FrameFeed feed = new FrameFeed() {
            @Override
            public void frameArrived() {
            }

            @Override
            public boolean due() {
                return true;
            }

            @Override
            public void offer(BufferedImage image, long capturedAtMillis) {
            }

            @Override
            public void offerEncoded(byte[] encoded, long capturedAtMillis) {
            }

            @Override
            public void connected() {
            }

            @Override
            public void failed(String message) {
                failure.set(message);
            }

            @Override
            public void finished(String reason) {
            }
        };
        source = new StreamSource("mjpeg-pin", new SourceSpec(SourceType.MJPEG, "http://camera.pin.test:" + port + "/video.mjpg", null, null),
                feed, new PulledSource.SourceSettings(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(2), 1, 1 << 20, policy, null));
        source.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> redirecting.get() >= 2 && failure.get() != null);
        assertThat(hosts).first().isEqualTo("camera.pin.test:" + port);
        assertThat(target.get()).as("requests that followed the redirect").isZero();
        assertThat(failure.get()).contains("HTTP 302");
    }
}
