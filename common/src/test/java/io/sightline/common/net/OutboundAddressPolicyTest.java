package io.sightline.common.net;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutboundAddressPolicyTest {

    /** A fixed table: no test here resolves a real name or opens a connection beyond loopback. */
    private static HostResolver table(Map<String, String> names, List<String> asked) {
        return host -> {
            asked.add(host);
            String ip = names.get(host);
            if (ip == null) {
                throw new UnknownHostException(host);
            }
            List<InetAddress> out = new ArrayList<>();
            for (String one : ip.split(",")) {
                out.add(InetAddress.getByName(one));
            }
            return out.toArray(InetAddress[]::new);
        };
    }

    private final List<String> asked = new ArrayList<>();
    private final OutboundAddressPolicy defaults = OutboundAddressPolicy.defaults(table(Map.of(
            "cam.lan", "192.168.1.20",
            "metadata.evil", "169.254.169.254",
            "rebind.evil", "192.168.1.20,127.0.0.1",
            "alibaba.evil", "100.100.100.200",
            "aws6.evil", "fd00:ec2::254",
            "mapped.evil", "::ffff:127.0.0.1",
            "multicast.evil", "224.0.0.251",
            "public.example", "93.184.215.14"), asked));

    @Test
    void homeCameraOnAPrivateLanAndPublicHostsAreAllowedAndPinned() {
        VettedDestination lan = defaults.vet(URI.create("rtsp://admin:pw@cam.lan/stream1"));
        assertThat(lan.address().getHostAddress()).isEqualTo("192.168.1.20");
        assertThat(lan.port()).isEqualTo(554);
        assertThat(lan.pinned(URI.create("rtsp://admin:pw@cam.lan/stream1?x=1")).toString())
                .isEqualTo("rtsp://admin:pw@192.168.1.20/stream1?x=1");
        assertThat(defaults.vet(URI.create("https://public.example/snap.jpg")).port()).isEqualTo(443);
    }

    @Test
    void namesResolvingToRefusedRangesAreRefusedOnTheirResolvedAddress() {
        for (String url : List.of("http://metadata.evil/latest/meta-data/", "http://alibaba.evil/", "http://[fd00:ec2::254]/",
                "http://aws6.evil/", "http://mapped.evil/", "http://multicast.evil/", "http://169.254.1.1/", "http://[fe80::1]/",
                "http://0.0.0.0/", "http://[::]/", "http://[::1]:8554/", "http://127.0.0.1:8554/", "http://255.255.255.255/")) {
            assertThatThrownBy(() -> defaults.vet(URI.create(url))).as(url).isInstanceOf(RefusedDestinationException.class)
                    .hasMessageContaining("destination refused");
        }
        assertThatThrownBy(() -> defaults.vet(URI.create("http://metadata.evil/"))).hasMessageContaining("metadata")
                .hasMessageContaining("169.254.169.254");
    }

    @Test
    void aNameWithOneGoodAndOneRefusedAddressIsRefused() {
        assertThatThrownBy(() -> defaults.vet(URI.create("http://rebind.evil/"))).hasMessageContaining("loopback");
    }

    @Test
    void sightlinesOwnPortsAreRefusedByDefault() {
        assertThatThrownBy(() -> defaults.vet(URI.create("http://cam.lan:8081/api/v1/cameras")))
                .hasMessageContaining("Sightline's own ports");
        assertThatThrownBy(() -> defaults.vet(URI.create("http://cam.lan:9092/"))).isInstanceOf(RefusedDestinationException.class);
    }

    @Test
    void allowAndDenyListsAndAStricterPrivatePolicyAreHonoured() {
        HostResolver resolver = table(Map.of("cam.lan", "192.168.1.20", "other.lan", "10.1.2.3"), asked);
        OutboundAddressPolicy strict = new OutboundAddressPolicy(List.of("192.168.1.0/24"), List.of("192.168.1.99"), false,
                List.of(8081), resolver);
        assertThat(strict.vet(URI.create("http://cam.lan:8081/")).address().getHostAddress()).isEqualTo("192.168.1.20");
        assertThatThrownBy(() -> strict.vet(URI.create("http://other.lan/"))).hasMessageContaining("private");
        assertThatThrownBy(() -> strict.vet(URI.create("http://192.168.1.99/"))).hasMessageContaining("denied ranges");
        OutboundAddressPolicy loopbackAllowed = new OutboundAddressPolicy(List.of("127.0.0.0/8", "::1"), List.of(), true, List.of(), resolver);
        assertThat(loopbackAllowed.vet(URI.create("http://127.0.0.1:9/")).address().isLoopbackAddress()).isTrue();
        assertThat(loopbackAllowed.vet(URI.create("http://[::1]:9/")).address().isLoopbackAddress()).isTrue();
    }

    @Test
    void unresolvableHostsAreRefusedWithoutGuessing() {
        assertThatThrownBy(() -> defaults.vet(URI.create("http://nowhere.invalid/"))).hasMessageContaining("cannot be resolved");
        assertThat(asked).contains("nowhere.invalid");
    }

    @Test
    void refusalHappensBeforeAnyConnectionToTheListener() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(200);
            int port = listener.getLocalPort();
            assertThatThrownBy(() -> OutboundAddressPolicy.defaults(HostResolver.SYSTEM).vet(URI.create("http://localhost:" + port + "/snap.jpg")))
                    .hasMessageContaining("loopback");
            assertThatThrownBy(listener::accept).as("nothing connected to the listener").isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void cidrsParseAndMatch() {
        assertThat(Cidr.parse("10.0.0.0/8").contains(addr("10.255.0.1"))).isTrue();
        assertThat(Cidr.parse("172.16.0.0/12").contains(addr("172.32.0.1"))).isFalse();
        assertThat(Cidr.parse("fe80::/10").contains(addr("febf::1"))).isTrue();
        assertThat(Cidr.parse("fe80::/10").contains(addr("fec0::1"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
    }

    private static InetAddress addr(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
