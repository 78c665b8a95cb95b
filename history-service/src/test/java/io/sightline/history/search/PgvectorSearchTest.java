package io.sightline.history.search;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sightline.embeddings.MiniLmEmbeddingModel;
import io.sightline.embeddings.SentenceVectors;
import io.sightline.history.support.PgvectorPostgresResource;
import io.sightline.history.support.Records;
import io.sightline.testsupport.KafkaBrokerResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * history-service on a PostgreSQL that has pgvector (Debian's PostgreSQL 15 with the vendored pgvector 0.8.6, see
 * tools/pgvector): the HNSW index is set up at start, filled on ingest, used under camera and time filters, and its
 * similarities are the exact cosine ones.
 */
@ExtendWith(PgvectorPostgresResource.Available.class)
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PgvectorPostgresResource.class)
class PgvectorSearchTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    AgroalDataSource db;

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void searchUsesTheHnswIndexUnderTheFiltersWithExactSimilarities() throws Exception {
        String porch = "porch-" + UUID.randomUUID().toString().substring(0, 8);
        String garden = "garden-" + UUID.randomUUID().toString().substring(0, 8);
        long at = System.currentTimeMillis() - 60_000;
        String van = "A white van is parked by the curb and a man carries a parcel to the door.";
        String courier = "A courier hands a box to a woman at the garden gate.";
        Records.caption(porch, at, van);
        Records.caption(porch, at + 1000, "A cat is sleeping on the sofa.");
        Records.caption(porch, at + 2000, "An empty street at night with wet asphalt.");
        Records.caption(garden, at + 3000, courier);
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM captions") >= 4);

        // the column filled by the trigger on ingest, and the index
        assertThat(count("SELECT count(*) FROM pg_indexes WHERE indexname = 'caption_texts_hnsw' AND indexdef LIKE '%hnsw%'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM caption_texts WHERE embedding_hnsw IS NULL")).isZero();

        JsonPath onePorch = given().queryParam("q", "delivery").queryParam("camera", porch).get("/api/v1/history/search")
                .then().statusCode(200).extract().jsonPath();
        assertThat(onePorch.getString("semantic")).isEqualTo("pgvector-hnsw");
        assertThat(onePorch.getBoolean("pgvector_available")).isTrue();
        assertThat(onePorch.getString("results[0].text")).isEqualTo(van);
        assertThat(onePorch.getList("results.camera", String.class)).containsOnly(porch); // the camera filter holds

        // pgvector's cosine is the exact one: what the model's vectors give in Java
        MiniLmEmbeddingModel model = new MiniLmEmbeddingModel(1);
        double expected = SentenceVectors.dot(SentenceVectors.embed(model, "delivery"), SentenceVectors.embed(model, van));
        assertThat(onePorch.getDouble("results[0].similarity")).isCloseTo(expected, within(1e-4));

        // every camera: the garden's courier is found too
        List<String> all = given().queryParam("q", "delivery").queryParam("limit", 100).get("/api/v1/history/search")
                .then().statusCode(200).extract().jsonPath().getList("results.text", String.class);
        assertThat(all).contains(van, courier);

        // a time filter: only what was captioned in the range is a candidate
        JsonPath late = given().queryParam("q", "delivery").queryParam("camera", porch).queryParam("since", at + 500)
                .get("/api/v1/history/search").then().statusCode(200).extract().jsonPath();
        assertThat(late.getString("semantic")).isEqualTo("pgvector-hnsw");
        assertThat(late.getList("results.text", String.class)).doesNotContain(van, courier)
                .contains("A cat is sleeping on the sofa.", "An empty street at night with wet asphalt.");

        // the query's shape is served by the index (forced: on 4 rows the planner would rather sort)
        List<String> plan = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET enable_seqscan = off");
            try (ResultSet rs = st.executeQuery("EXPLAIN SELECT t.id FROM caption_texts t WHERE t.embedding_hnsw IS NOT NULL "
                    + "ORDER BY t.embedding_hnsw <=> (SELECT embedding_hnsw FROM caption_texts LIMIT 1) LIMIT 5")) {
                while (rs.next()) {
                    plan.add(rs.getString(1));
                }
            }
            st.execute("RESET enable_seqscan");
        }
        assertThat(String.join("\n", plan)).contains("caption_texts_hnsw");
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
