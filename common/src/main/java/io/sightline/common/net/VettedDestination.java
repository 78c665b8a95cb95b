package io.sightline.common.net;

import java.net.InetAddress;
import java.net.URI;

/**
 * A destination that passed {@link OutboundAddressPolicy}: connect to {@code address} (never resolve
 * {@code host} again, or a second DNS answer could point elsewhere), present {@code host} as Host header / SNI.
 */
public record VettedDestination(String host, InetAddress address, int port) {

    /** The address as it goes into a URL: {@code 192.168.1.5} or {@code [fd00::5]}. */
    public String urlHost() {
        String literal = address.getHostAddress();
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        return literal.contains(":") ? "[" + literal + "]" : literal;
    }

    /** {@code host[:port]} for a Host header, the port only when the URL names one. */
    public String hostHeader(URI original) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return original.getPort() > 0 ? h + ":" + original.getPort() : h;
    }

    /** The same URL with the host replaced by the vetted address (user-info, path and query kept). */
    public URI pinned(URI original) {
        String raw = original.toString();
        String authority = original.getRawAuthority();
        String userInfo = original.getRawUserInfo();
        String pinnedAuthority = (userInfo != null ? userInfo + "@" : "") + urlHost() + (original.getPort() > 0 ? ":" + original.getPort() : "");
        int at = raw.indexOf("//" + authority);
        return URI.create(raw.substring(0, at + 2) + pinnedAuthority + raw.substring(at + 2 + authority.length()));
    }
}
