package io.sightline.common.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Name -> addresses; the system resolver in production, a fixed table in tests. */
@FunctionalInterface
public interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}
