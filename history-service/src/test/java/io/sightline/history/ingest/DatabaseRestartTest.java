package io.sightline.history.ingest;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.history.support.EmbeddedPostgresResource;
import io.sightline.history.support.Records;
import io.sightline.history.support.SseStream;
import io.sightline.testsupport.KafkaBrokerResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database stops in the middle of an ingest and comes back: the service reports not ready while it
 * is gone, the consumer pauses without committing, and every record is stored once it returns.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(EmbeddedPostgresResource.class)
class DatabaseRestartTest {

    @Inject
    AgroalDataSource db;

    @TestHTTPResource("/api/v1/history/captions/stream")
    URL stream;

    @Test
    void nothingIsLostWhenThePostgresServerRestartsMidIngest() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        String camera = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        long t0 = System.currentTimeMillis() - 600_000;
        for (int i = 0; i < 200; i++) {
            Records.caption(camera, t0 + i, "before the restart, caption " + i);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> captions(camera) > 0);

        // a live subscriber stays connected through the restart and gets what is stored after it
        try (SseStream live = SseStream.open(stream + "?camera=" + camera, null)) {
            EmbeddedPostgresResource.Server server = EmbeddedPostgresResource.restartable();
            server.stop();
            for (int i = 0; i < 300; i++) {
                Records.caption(camera, t0 + 1000 + i, "while the database is down, caption " + i);
                if (i % 50 == 0) {
                    Records.detections(camera, t0 + 1000 + i, "person:0.9");
                }
            }
            // not ready: the datasource check and the paused ingest both say so
            await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 503);
            String health = given().get("/q/health/ready").asString();
            assertThat(health).contains("history-ingest").contains("database_down");

            server.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> given().get("/q/health/ready").statusCode() == 200);
            await().atMost(Duration.ofSeconds(90)).until(() -> captions(camera) == 500);
            assertThat(count("SELECT count(*) FROM detections WHERE camera = ?", camera)).isEqualTo(6);
            assertThat(count("SELECT count(DISTINCT text_id) FROM captions WHERE camera = ?", camera)).isEqualTo(500);

            await().atMost(Duration.ofSeconds(60)).until(() -> live.captions().stream()
                    .filter(e -> e.data().get("text").asText().startsWith("while the database is down")).count() == 300);
        }
    }

    private long captions(String camera) {
        try {
            return count("SELECT count(*) FROM captions WHERE camera = ?", camera);
        } catch (Exception e) {
            return -1; // database down
        }
    }

    private long count(String sql, String param) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
