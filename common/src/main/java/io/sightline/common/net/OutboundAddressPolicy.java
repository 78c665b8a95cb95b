package io.sightline.common.net;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one rule for connections a user's input points a service at (camera URLs, webhook destinations):
 * resolve the host, refuse loopback, link-local, cloud metadata, unspecified, multicast/broadcast and this
 * host's own addresses, Sightline's own ports, the configured deny list, and (when so configured) private
 * ranges; the allow list wins over all but the deny list. Every resolved address must pass (a name that
 * resolves to one good and one bad address is refused); the caller then connects to the returned address
 * only, so a second DNS answer cannot redirect it (no rebinding).
 */
@Singleton
public class OutboundAddressPolicy {

    private static final List<Cidr> METADATA = cidrs("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32",
            "192.0.0.192/32", "168.63.129.16/32", "169.254.170.2/32");
    private static final List<Cidr> PRIVATE = cidrs("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");
    private static final List<Cidr> RESERVED = cidrs("0.0.0.0/8", "240.0.0.0/4", "100.64.0.0/10", "192.0.0.0/24",
            "64:ff9b::/96", "::/128", "2001:db8::/32");
    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("http", 80, "https", 443, "rtsp", 554, "rtsps", 322,
            "ws", 80, "wss", 443);

    private final List<Cidr> allow;
    private final List<Cidr> deny;
    private final boolean allowPrivate;
    private final Set<Integer> deniedPorts;
    private final HostResolver resolver;

    @Inject
    OutboundAddressPolicy(OutboundConfig config) {
        this(config.allowCidrs().orElse(List.of()), config.denyCidrs().orElse(List.of()), config.allowPrivate(),
                config.deniedPorts(), HostResolver.SYSTEM);
    }

    public OutboundAddressPolicy(List<String> allowCidrs, List<String> denyCidrs, boolean allowPrivate,
                                 List<Integer> deniedPorts, HostResolver resolver) {
        this.allow = allowCidrs.stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList();
        this.deny = denyCidrs.stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList();
        this.allowPrivate = allowPrivate;
        this.deniedPorts = Set.copyOf(deniedPorts);
        this.resolver = resolver;
    }

    /** The production default: nothing allowed or denied beyond the built-in rules, private ranges allowed. */
    public static OutboundAddressPolicy defaults(HostResolver resolver) {
        return new OutboundAddressPolicy(List.of(), List.of(), true, List.of(8080, 8081, 8082, 8083, 9092, 9093), resolver);
    }

    /** The same policy resolving names with {@code other} (tests). */
    public OutboundAddressPolicy withResolver(HostResolver other) {
        return new OutboundAddressPolicy(allow.stream().map(Cidr::text).toList(), deny.stream().map(Cidr::text).toList(),
                allowPrivate, List.copyOf(deniedPorts), other);
    }

    /** Vets {@code url}'s host and port (its scheme's default port when it names none); throws when refused. */
    public VettedDestination vet(URI url) {
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            throw new RefusedDestinationException("the URL names no host");
        }
        int port = url.getPort() > 0 ? url.getPort()
                : DEFAULT_PORTS.getOrDefault(url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT), -1);
        return vet(host, port);
    }

    /** Resolves {@code host} and checks every address it has; the first one is the one to connect to. */
    public VettedDestination vet(String host, int port) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            // an address literal is its own answer (InetAddress parses it without asking DNS)
            addresses = isLiteral(name) ? new InetAddress[] {InetAddress.getByName(name)} : resolver.resolve(name);
        } catch (UnknownHostException e) {
            throw new RefusedDestinationException("host " + name + " cannot be resolved");
        }
        if (addresses == null || addresses.length == 0) {
            throw new RefusedDestinationException("host " + name + " cannot be resolved");
        }
        for (InetAddress address : addresses) {
            refusal(address, port).ifPresent(why -> {
                throw new RefusedDestinationException("destination refused: " + name
                        + (name.equals(address.getHostAddress()) ? "" : " resolves to " + address.getHostAddress())
                        + (port > 0 ? " port " + port : "") + " is " + why);
            });
        }
        return new VettedDestination(name, addresses[0], port);
    }

    /** Why this address and port are refused, or empty when they are allowed. */
    public Optional<String> refusal(InetAddress address, int port) {
        InetAddress a = embeddedIpv4(address);
        if (matches(deny, a)) {
            return Optional.of("in the denied ranges (sightline.outbound.deny-cidrs)");
        }
        if (matches(allow, a)) {
            return Optional.empty();
        }
        String why = null;
        if (matches(METADATA, a)) {
            why = "a cloud metadata address";
        } else if (a.isLoopbackAddress()) {
            why = "a loopback address";
        } else if (a.isLinkLocalAddress()) {
            why = "a link-local address";
        } else if (a.isAnyLocalAddress() || matches(RESERVED, a)) {
            why = "an unspecified or reserved address";
        } else if (a.isMulticastAddress() || isBroadcast(a)) {
            why = "a multicast or broadcast address";
        } else if (localAddresses().contains(a)) {
            why = "an address of this host";
        } else if (!allowPrivate && (matches(PRIVATE, a) || a.isSiteLocalAddress())) {
            why = "a private address (sightline.outbound.allow-private=false)";
        } else if (port > 0 && deniedPorts.contains(port)) {
            why = "one of Sightline's own ports (sightline.outbound.denied-ports)";
        }
        return why == null ? Optional.empty()
                : Optional.of(why + "; allow it explicitly with sightline.outbound.allow-cidrs if it is really meant");
    }

    private static boolean isLiteral(String name) {
        return name.contains(":") || name.matches("[0-9.]+");
    }

    private static boolean isBroadcast(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff;
    }

    /** An IPv4 address hidden in IPv6 (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d) is judged as that IPv4 address. */
    private static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        boolean mapped = zeroPrefix && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0 && !address.isLoopbackAddress()
                && !address.isAnyLocalAddress()));
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
        if (mapped || nat64) {
            try {
                return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            } catch (UnknownHostException e) {
                return address;
            }
        }
        return address;
    }

    private static boolean matches(List<Cidr> ranges, InetAddress a) {
        for (Cidr c : ranges) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static volatile Set<InetAddress> local;

    private static Set<InetAddress> localAddresses() {
        Set<InetAddress> known = local;
        if (known == null) {
            Set<InetAddress> found = new HashSet<>();
            try {
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    found.addAll(Collections.list(nic.getInetAddresses()));
                }
            } catch (SocketException | RuntimeException e) {
                // no interface list: loopback and the other rules still hold
            }
            known = Set.copyOf(found);
            local = known;
        }
        return known;
    }

    private static List<Cidr> cidrs(String... texts) {
        List<Cidr> list = new ArrayList<>();
        for (String t : texts) {
            list.add(Cidr.parse(t));
        }
        return List.copyOf(list);
    }
}
