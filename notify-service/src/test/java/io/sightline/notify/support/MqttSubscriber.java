package io.sightline.notify.support;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** A plain MQTT client subscribed to a filter at QoS 1, recording what it receives (as Home Assistant would). */
public final class MqttSubscriber implements AutoCloseable {

    public record Received(String topic, String payload, boolean retained) {
    }

    private final MqttClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private MqttSubscriber(String url, String filter) throws MqttException {
        client = new MqttClient(url, "test-sub-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setConnectionTimeout(5);
        client.connect(options);
        client.subscribe(filter, 1, (topic, message) ->
                received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.isRetained())));
    }

    public static MqttSubscriber subscribe(String url, String filter) {
        try {
            return new MqttSubscriber(url, filter);
        } catch (MqttException e) {
            throw new IllegalStateException("could not subscribe to " + url, e);
        }
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> on(String topic) {
        return received.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(500, 500);
            }
            client.close(true);
        } catch (MqttException e) {
            // broker already gone
        }
    }
}
