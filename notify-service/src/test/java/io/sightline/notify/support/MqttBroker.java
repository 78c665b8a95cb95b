package io.sightline.notify.support;

import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Properties;

/** A real MQTT broker (Moquette) in the test JVM on 127.0.0.1 and a fixed free port, so it can be restarted in place. */
public final class MqttBroker implements AutoCloseable {

    private final int port;
    private Server server;

    private MqttBroker(int port) {
        this.port = port;
    }

    public static MqttBroker start() {
        MqttBroker broker = new MqttBroker(freePort());
        broker.up();
        return broker;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public synchronized void up() {
        Properties p = new Properties();
        p.setProperty(BrokerConstants.HOST_PROPERTY_NAME, "127.0.0.1");
        p.setProperty(BrokerConstants.PORT_PROPERTY_NAME, Integer.toString(port));
        p.setProperty(BrokerConstants.WEB_SOCKET_PORT_PROPERTY_NAME, BrokerConstants.DISABLED_PORT_BIND);
        p.setProperty(BrokerConstants.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
        p.setProperty(BrokerConstants.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
        // Moquette reports usage to its authors by default: this box talks to loopback only
        p.setProperty(BrokerConstants.ENABLE_TELEMETRY_NAME, "false");
        Server s = new Server();
        try {
            s.startServer(new MemoryConfig(p));
        } catch (IOException e) {
            throw new IllegalStateException("Moquette did not start on port " + port, e);
        }
        server = s;
    }

    public synchronized void down() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    @Override
    public void close() {
        down();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
