package io.sightline.history.ingest;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameSource;
import io.sightline.common.kafka.Topics;
import io.sightline.history.support.TmpfsPostgresResource;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A full disk, for real: the database lives on a 48 MB tmpfs. First a ballast file leaves no room and nothing for
 * retention to delete: ingest stays paused, readiness says why, nothing is committed past what is stored; the ballast
 * removed, it resumes by itself. Then ingesting frames (thumbnails) fills the disk until the guard trips; retention
 * frees the oldest and ingest goes on by itself. Every record is stored or was deliberately deleted by retention,
 * oldest first - counted.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TmpfsPostgresResource.class)
class DiskFullTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry registry;

    @Test
    void aFullDiskPausesIngestFreesTheOldestAndResumesWithEveryRecordAccountedFor() throws Exception {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
        String camera = "disk-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] noise = noiseJpeg();
        Path mount = TmpfsPostgresResource.mountPoint();
        long t0 = System.currentTimeMillis() - 3_600_000;

        // phase 1: a ballast file leaves 3 MB where 12 MB must stay free, and retention has nothing to delete yet
        Path ballast = mount.resolve("ballast.bin");
        long usable = Files.getFileStore(mount).getUsableSpace();
        try (RandomAccessFile f = new RandomAccessFile(ballast.toFile(), "rw")) {
            byte[] mb = new byte[1024 * 1024];
            new Random(1).nextBytes(mb);
            for (long written = 0; written < usable - 3L * 1024 * 1024; written += mb.length) {
                f.write(mb);
            }
        }
        List<RecordMetadata> waiting = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            waiting.add(sendFrame(camera, t0 + i * 1000L, noise));
        }
        TopicPartition tp = new TopicPartition(Topics.FRAMES, waiting.get(0).partition());
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 503);
        String health = given().get("/q/health/ready").asString();
        assertThat(health).contains("disk_full").contains("disk nearly full").contains("MB free on " + mount)
                .contains("need 12 MB");
        // paused: none of the frames is stored, and no offset is committed past what is
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> given().get("/q/health/ready").statusCode() == 503);
        assertThat(count("SELECT count(*) FROM thumbnails WHERE camera = ?", camera)).isZero();
        assertThat(committed(tp)).isLessThanOrEqualTo(waiting.get(0).offset());

        // room again: ingest resumes by itself and stores them all
        Files.delete(ballast);
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
        await().atMost(WAIT).until(() -> committed(tp) > waiting.get(waiting.size() - 1).offset());
        assertThat(count("SELECT count(*) FROM thumbnails WHERE camera = ?", camera)).isEqualTo(40);

        // phase 2: about 50 MB of thumbnails into the 48 MB file system: the guard trips, retention deletes the oldest,
        // ingest goes on by itself, and the disk never fills up
        List<RecordMetadata> sent = new ArrayList<>();
        for (int i = 40; i < 1040; i++) {
            sent.add(sendFrame(camera, t0 + i * 1000L, noise));
        }
        await().atMost(WAIT).until(() -> committed(tp) > sent.get(sent.size() - 1).offset());
        assertThat(disk("thumbnails")).as("the guard tripped and retention deleted the oldest thumbnails").isPositive();
        accountedFor(camera, t0, 1040);
        assertThat(Files.getFileStore(mount).getUsableSpace()).as("the disk never filled up")
                .isGreaterThan(TmpfsPostgresResource.MIN_FREE_BYTES / 4);
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    /** Every frame sent is stored or was deleted by the guard's retention, oldest first: the stored ones are the newest. */
    private void accountedFor(String camera, long t0, int sent) throws Exception {
        long stored = count("SELECT count(*) FROM thumbnails WHERE camera = ?", camera);
        long deleted = (long) disk("thumbnails");
        assertThat(stored + deleted).as("stored %d + deleted by retention %d", stored, deleted).isEqualTo(sent);
        long oldestKept = count("SELECT coalesce(min(captured_at), 0) FROM thumbnails WHERE camera = ?", camera);
        assertThat(oldestKept).as("retention deleted the oldest").isEqualTo(t0 + deleted * 1000L);
    }

    private double disk(String table) {
        Counter c = registry.find("sightline.history.retention.deleted").tag("table", table).tag("reason", "disk").counter();
        return c == null ? 0 : c.count();
    }

    private static long committed(TopicPartition tp) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets("history-service").partitionsToOffsetAndMetadata().get().get(tp);
            return o == null ? -1 : o.offset();
        }
    }

    private static RecordMetadata sendFrame(String camera, long at, byte[] jpeg) {
        CapturedFrame frame = new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, at, 320, 320, CapturedFrame.JPEG, 1, 1.0, jpeg);
        return TestKafka.send(Topics.FRAMES, camera, jpeg, FrameRecordCodec.toHeaders(frame));
    }

    /** Random pixels compress badly: a ~50 KB thumbnail per frame. */
    private static byte[] noiseJpeg() {
        BufferedImage image = new BufferedImage(320, 320, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(42);
        for (int y = 0; y < 320; y++) {
            for (int x = 0; x < 320; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return TestImages.encodeJpeg(image, 0.9f);
    }

    private long count(String sql, Object... params) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
