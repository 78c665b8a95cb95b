package io.sightline.notify.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.util.List;
import java.util.UUID;

/** NotificationRaised records as watch-service publishes them, sent to the real test broker. */
public final class Notifications {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Notifications() {
    }

    public static NotificationRaised raise(String camera, List<String> channels) {
        NotificationRaised n = new NotificationRaised(NotificationRaised.SCHEMA, UUID.randomUUID().toString(),
                "job-" + UUID.randomUUID().toString().substring(0, 8), camera, "a parcel is on the mat",
                "A brown parcel lies on the door mat.", "box-shaped object at the door", UUID.randomUUID().toString(),
                "https://sightline.example/thumb/" + camera + ".jpg", channels, System.currentTimeMillis());
        send(camera, n);
        return n;
    }

    public static void send(String key, Object value) {
        try {
            TestKafka.send(Topics.NOTIFICATIONS, key, JSON.writeValueAsBytes(value), new RecordHeaders());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void sendRaw(String key, String json) {
        TestKafka.send(Topics.NOTIFICATIONS, key, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), new RecordHeaders());
    }
}
