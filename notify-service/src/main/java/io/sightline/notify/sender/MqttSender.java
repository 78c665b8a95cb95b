package io.sightline.notify.sender;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.sightline.common.net.OutboundAddressPolicy;
import io.sightline.common.net.RefusedDestinationException;
import io.sightline.common.net.VettedDestination;
import io.sightline.notify.channel.Channel;
import io.sightline.notify.channel.ChannelType;
import io.sightline.notify.channel.ChannelValidator;
import io.sightline.notify.config.NotifyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MQTT 3.1.1 with QoS 1 (Paho): per watch job a retained state topic {@code <prefix>/jobs/<job>/state} (payload
 * {@code {"state":"ON",...}}) and an event topic {@code <prefix>/jobs/<job>/event}, plus Home Assistant MQTT
 * discovery (retained configs under {@code <discovery_prefix>/binary_sensor/sightline/<job>/config} and
 * {@code .../event/sightline/<job>/config}), so each job shows up as a binary sensor and an event entity whose
 * attributes carry the message and the snapshot URL.
 * <p>
 * An attempt returns delivered only once the broker acknowledged (PUBACK) every publish. When the broker is
 * away the attempt fails and the client is dropped; the dispatcher retries with back-off and the next attempt
 * connects afresh, so whatever was pending is published after the broker restarts (at least once, QoS 1).
 */
@ApplicationScoped
public class MqttSender implements ChannelSender {

    public static final String EVENT_TYPE = "condition_met";

    private final ObjectMapper json;
    private final OutboundAddressPolicy outbound;
    private final NotifyConfig.Mqtt config;
    private final NotifyConfig.Delivery delivery;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    MqttSender(ObjectMapper json, OutboundAddressPolicy outbound, NotifyConfig config) {
        this.json = json;
        this.outbound = outbound;
        this.config = config.mqtt();
        this.delivery = config.delivery();
    }

    void onStop(@Observes ShutdownEvent event) {
        connections.values().forEach(Connection::close);
        connections.clear();
    }

    @Override
    public ChannelType type() {
        return ChannelType.MQTT;
    }

    @Override
    public String destination(Channel channel) {
        URI u = URI.create(channel.text("url"));
        return "mqtt:" + u.getHost() + ":" + ChannelValidator.mqttPort(u);
    }

    @Override
    public int maxConcurrency(Channel channel, int fallback) {
        return fallback;
    }

    @Override
    public Outcome send(Channel channel, Notice notice) {
        Connection connection = connections.compute(channel.name(),
                (name, old) -> old != null && old.updatedAt == channel.updatedAt() ? old : replace(old, channel));
        try {
            MqttClient client = connection.connected();
            String prefix = channel.text("topic_prefix", "sightline");
            String job = topicLevel(notice.jobId());
            String stateTopic = prefix + "/jobs/" + job + "/state";
            String eventTopic = prefix + "/jobs/" + job + "/event";
            if (channel.bool("discovery", true)) {
                String discovery = channel.text("discovery_prefix", "homeassistant");
                publish(client, discovery + "/binary_sensor/sightline/" + job + "/config", binarySensorConfig(notice, job, stateTopic), true);
                publish(client, discovery + "/event/sightline/" + job + "/config", eventConfig(notice, job, eventTopic), true);
            }
            publish(client, stateTopic, payload(notice, "state", "ON"), true);
            publish(client, eventTopic, payload(notice, "event_type", EVENT_TYPE), false);
            return Outcome.delivered();
        } catch (RefusedDestinationException e) {
            return e.getMessage().contains("cannot be resolved") ? Outcome.retry(e.getMessage()) : Outcome.permanent(e.getMessage());
        } catch (MqttException e) {
            connection.close();
            connections.remove(channel.name(), connection);
            String why = "MQTT " + (e.getMessage() == null ? "error" : e.getMessage()) + " (reason " + e.getReasonCode() + ")";
            if (e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                    || e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED) {
                return Outcome.permanent(why);
            }
            return Outcome.retry(why);
        } catch (RuntimeException e) {
            connection.close();
            connections.remove(channel.name(), connection);
            return Outcome.retry("MQTT " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private Connection replace(Connection old, Channel channel) {
        if (old != null) {
            old.close();
        }
        return new Connection(channel);
    }

    private static void publish(MqttClient client, String topic, ObjectNode body, boolean retained) throws MqttException {
        MqttMessage message = new MqttMessage(body.toString().getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        message.setRetained(retained);
        client.publish(topic, message); // blocks until the PUBACK (bounded by the client's time-to-wait)
    }

    private ObjectNode payload(Notice n, String key, String value) {
        ObjectNode o = json.createObjectNode();
        o.put(key, value);
        o.put("notification_id", n.notificationId());
        o.put("job_id", n.jobId());
        o.put("camera", n.camera());
        o.put("condition", n.condition());
        o.put("message", n.message());
        o.put("frame_id", n.frameId());
        o.put("snapshot_url", n.thumbnailUrl());
        o.put("at", n.at());
        o.put("test", n.test());
        return o;
    }

    private ObjectNode device(Notice n) {
        ObjectNode d = json.createObjectNode();
        d.putArray("identifiers").add("sightline_camera_" + topicLevel(n.camera()));
        d.put("name", "Sightline " + n.camera());
        d.put("manufacturer", "Sightline");
        return d;
    }

    private ObjectNode binarySensorConfig(Notice n, String job, String stateTopic) {
        ObjectNode o = json.createObjectNode();
        o.put("name", name(n));
        o.put("unique_id", "sightline_" + job);
        o.put("object_id", "sightline_" + job);
        o.put("state_topic", stateTopic);
        o.put("value_template", "{{ value_json.state }}");
        o.put("payload_on", "ON");
        o.put("payload_off", "OFF");
        o.put("json_attributes_topic", stateTopic);
        o.set("device", device(n));
        return o;
    }

    private ObjectNode eventConfig(Notice n, String job, String eventTopic) {
        ObjectNode o = json.createObjectNode();
        o.put("name", name(n));
        o.put("unique_id", "sightline_" + job + "_event");
        o.put("object_id", "sightline_" + job + "_event");
        o.put("state_topic", eventTopic);
        o.putArray("event_types").add(EVENT_TYPE);
        o.set("device", device(n));
        return o;
    }

    private static String name(Notice n) {
        String c = n.condition() == null || n.condition().isBlank() ? "Watch " + n.jobId() : n.condition();
        return c.length() > 60 ? c.substring(0, 57) + "..." : c;
    }

    /** A topic level from an id: MQTT wildcards, separators and anything odd become '_'. */
    public static String topicLevel(String id) {
        String s = id == null || id.isEmpty() ? "unknown" : id;
        return s.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** One broker connection per channel, made lazily, dropped on any error and made again on the next attempt. */
    private final class Connection {
        private final Channel channel;
        private final long updatedAt;
        private MqttClient client;

        Connection(Channel channel) {
            this.channel = channel;
            this.updatedAt = channel.updatedAt();
        }

        synchronized MqttClient connected() throws MqttException {
            if (client != null && client.isConnected()) {
                return client;
            }
            close();
            URI url = URI.create(channel.text("url"));
            String scheme = url.getScheme().toLowerCase(Locale.ROOT);
            boolean tls = scheme.equals("ssl") || scheme.equals("mqtts");
            int port = ChannelValidator.mqttPort(url);
            VettedDestination target = outbound.vet(url.getHost(), port);
            // plain TCP connects to the vetted address itself; TLS needs the name for certificate checks
            String server = (tls ? "ssl://" + url.getHost() : "tcp://" + target.urlHost()) + ":" + port;
            String clientId = channel.text("client_id", "sightline-notify-" + UUID.randomUUID().toString().substring(0, 8));
            MqttClient c = new MqttClient(server, clientId, new MemoryPersistence());
            c.setTimeToWait(config.publishTimeout().toMillis());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setAutomaticReconnect(false);
            options.setConnectionTimeout((int) Math.max(1, delivery.connectTimeout().toSeconds()));
            options.setKeepAliveInterval((int) Math.max(1, config.keepAlive().toSeconds()));
            options.setMaxInflight(64);
            if (channel.text("username") != null) {
                options.setUserName(channel.text("username"));
            }
            if (channel.text("password") != null) {
                options.setPassword(channel.text("password").toCharArray());
            }
            try {
                c.connect(options);
            } catch (MqttException e) {
                closeQuietly(c);
                throw e;
            }
            Log.infof("MQTT channel %s connected to %s", channel.name(), server);
            client = c;
            return c;
        }

        synchronized void close() {
            if (client != null) {
                closeQuietly(client);
                client = null;
            }
        }

        private void closeQuietly(MqttClient c) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(500, 500);
                }
            } catch (MqttException e) {
                // already gone
            }
            try {
                c.close(true);
            } catch (MqttException e) {
                // already closed
            }
        }
    }
}
