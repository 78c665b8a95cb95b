package io.sightline.caption.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** Shared steps of the caption tests: steering stand-ins, sending frames, reading captions and status. */
public final class CaptionTests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile TestImages.Jpeg astronaut;

    private CaptionTests() {
    }

    public static Path control() {
        return Path.of(ConfigProvider.getConfig().getValue("sightline.test.control-dir", String.class));
    }

    /** Puts every stand-in back to answering promptly. */
    public static void allHealthy() {
        for (String name : List.of("caption-server", "vlm", "sidecar")) {
            StandInControl.set(control(), name, "ok");
        }
    }

    public static TestImages.Jpeg astronaut() {
        if (astronaut == null) {
            astronaut = TestImages.jpeg("astronaut.png");
        }
        return astronaut;
    }

    public static CapturedFrame sendFrame(String camera) {
        TestImages.Jpeg jpeg = astronaut();
        return TestKafka.sendFrame(camera, jpeg.bytes(), jpeg.width(), jpeg.height());
    }

    public static JsonNode json(ConsumerRecord<String, byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean forFrame(ConsumerRecord<String, byte[]> record, CapturedFrame frame) {
        return frame.frameId().toString().equals(json(record).path("frame_id").asText());
    }

    /** One tier's entry of {@code GET /api/v1/backends}. */
    public static JsonNode backend(String name) {
        try {
            JsonNode all = JSON.readTree(given().get("/api/v1/backends").then().statusCode(200).extract().asString());
            for (JsonNode b : all.path("backends")) {
                if (name.equals(b.path("name").asText())) {
                    return b;
                }
            }
            throw new AssertionError("no backend " + name + " in " + all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode backends() {
        try {
            return JSON.readTree(given().get("/api/v1/backends").then().statusCode(200).extract().asString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
