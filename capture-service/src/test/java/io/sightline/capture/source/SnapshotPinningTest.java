package io.sightline.capture.source;

import com.sun.net.httpserver.HttpServer;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.camera.SourceType;
import io.sightline.common.net.OutboundAddressPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
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
 * The snapshot source connects to the address the outbound policy vetted (names here exist only in the
 * test's resolver), re-vets on every poll so a DNS answer that changes to a refused address is refused,
 * and never follows a redirect. Only 127.0.0.1 and 127.0.0.2 are ever listened on or connected to.
 */
class SnapshotPinningTest {

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000));
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final List<String> hosts = new CopyOnWriteArrayList<>();
    private SnapshotSource source;

    @AfterEach
    void stop() {
        if (source != null) {
            source.stop();
        }
        servers.forEach(s -> s.stop(0));
        http.close();
        vertx.close();
    }

    private HttpServer server(String ip, int port, int status, String location, AtomicInteger requests) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), port), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            byte[] body = status == 200 ? new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3} : new byte[0];
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        servers.add(server);
        return server;
    }

    private SnapshotSource start(String url, OutboundAddressPolicy policy, RecordingFeed feed) {
        PulledSource.SourceSettings settings = new PulledSource.SourceSettings(Duration.ofMillis(100), Duration.ofMillis(300),
                Duration.ofSeconds(2), 10, 1 << 20, policy, http);
        source = new SnapshotSource("pin-cam", new SourceSpec(SourceType.SNAPSHOT, url, null, null), feed, settings);
        source.start();
        return source;
    }

    @Test
    void connectsToTheVettedAddressKeepsTheNameAndRefusesARebindToAnotherAddress() throws IOException {
        AtomicInteger good = new AtomicInteger();
        AtomicInteger rebound = new AtomicInteger();
        int port = server("127.0.0.1", 0, 200, null, good).getAddress().getPort();
        server("127.0.0.2", port, 200, null, rebound);
        AtomicReference<String> answer = new AtomicReference<>("127.0.0.1");
        AtomicInteger lookups = new AtomicInteger();
        OutboundAddressPolicy policy = new OutboundAddressPolicy(List.of("127.0.0.1/32"), List.of(), true, List.of(), host -> {
            lookups.incrementAndGet();
            if (!host.equals("camera.pin.test")) {
                throw new java.net.UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName(answer.get())};
        });
        RecordingFeed feed = new RecordingFeed();
        start("http://camera.pin.test:" + port + "/snapshot.jpg", policy, feed);

        await().atMost(Duration.ofSeconds(10)).until(() -> feed.frames.get() >= 2);
        assertThat(hosts).first().isEqualTo("camera.pin.test:" + port);

        // the name now points at another address, one the policy refuses: the next polls do not go there
        answer.set("127.0.0.2");
        int before = lookups.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> lookups.get() >= before + 2 && feed.lastFailure.get() != null);
        assertThat(feed.lastFailure.get()).contains("destination refused").contains("127.0.0.2");
        assertThat(rebound.get()).as("requests that reached the rebound address").isZero();
    }

    @Test
    void aRedirectIsAFailureAndItsTargetIsNeverAsked() throws IOException {
        AtomicInteger target = new AtomicInteger();
        AtomicInteger redirecting = new AtomicInteger();
        int targetPort = server("127.0.0.1", 0, 200, null, target).getAddress().getPort();
        int port = server("127.0.0.1", 0, 302, "http://127.0.0.1:" + targetPort + "/snapshot.jpg", redirecting).getAddress().getPort();
        RecordingFeed feed = new RecordingFeed();
        start("http://127.0.0.1:" + port + "/snapshot.jpg",
                new OutboundAddressPolicy(List.of("127.0.0.1/32"), List.of(), true, List.of(), InetAddress::getAllByName), feed);
        await().atMost(Duration.ofSeconds(10)).until(() -> redirecting.get() >= 2 && feed.lastFailure.get() != null);
        assertThat(feed.lastFailure.get()).contains("HTTP 302");
        assertThat(target.get()).isZero();
        assertThat(feed.frames.get()).isZero();
    }

    private static final class RecordingFeed implements FrameFeed {
        final AtomicInteger frames = new AtomicInteger();
        final AtomicReference<String> lastFailure = new AtomicReference<>();

        @Override
        public void frameArrived() {
        }

        @Override
        public boolean due() {
            return true;
        }

        @Override
        public void offer(BufferedImage image, long capturedAtMillis) {
            frames.incrementAndGet();
        }

        @Override
        public void offerEncoded(byte[] encoded, long capturedAtMillis) {
            frames.incrementAndGet();
        }

        @Override
        public void connected() {
        }

        @Override
        public void failed(String message) {
            lastFailure.set(message);
        }

        @Override
        public void finished(String reason) {
        }
    }
}
