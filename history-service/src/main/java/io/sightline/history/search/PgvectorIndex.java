package io.sightline.history.search;

import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.sightline.history.config.HistoryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * pgvector's HNSW index over caption-text embeddings, where the server has the extension (CloudNativePG's images,
 * or any server with pgvector installed); absent on the embedded binaries, where search stays exact cosine in
 * Java. Not a Flyway migration because it depends on the server: on start (and again on the next search if the
 * database was unreachable then) it creates the extension, a {@code vector(384)} column filled from the stored
 * {@code real[]} embeddings, a trigger that fills it on insert, and the index. All statements are idempotent.
 */
@ApplicationScoped
public class PgvectorIndex {

    /** What this service does about pgvector. */
    public enum State { UNKNOWN, ABSENT, IN_USE, OFF }

    static final String COLUMN = "embedding_hnsw";
    static final String INDEX = "caption_texts_hnsw";

    private final AgroalDataSource dataSource;
    private final HistoryConfig.Search config;
    private volatile State state;
    private volatile boolean available;

    PgvectorIndex(AgroalDataSource dataSource, HistoryConfig config) {
        this.dataSource = dataSource;
        this.config = config.search();
        this.state = this.config.pgvector() ? State.UNKNOWN : State.OFF;
    }

    void onStart(@Observes StartupEvent event) {
        try (Connection c = dataSource.getConnection()) {
            state(c);
        } catch (SQLException e) {
            Log.warnf("pgvector: not checked yet, the database is unreachable (%s); the first search tries again", e.getMessage());
        }
    }

    /** Whether the server offers the extension (known once the database was reached). */
    public boolean available() {
        return available;
    }

    /** The state, setting the index up first if that has not been tried on a reachable database yet. */
    public State state(Connection c) throws SQLException {
        if (state != State.UNKNOWN) {
            return state;
        }
        synchronized (this) {
            if (state == State.UNKNOWN) {
                state = setUp(c);
            }
            return state;
        }
    }

    private State setUp(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            available = rs.getLong(1) > 0;
        }
        if (!available) {
            Log.infof("semantic search: %s (pgvector is not installed on this server)", HybridSearch.EXACT);
            return State.ABSENT;
        }
        long start = System.nanoTime();
        boolean autoCommit = c.getAutoCommit();
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // one setup at a time across replicas: the lock is released at commit
            st.execute("SELECT pg_advisory_xact_lock(hashtext('sightline.history.pgvector'))");
            st.execute("CREATE EXTENSION IF NOT EXISTS vector");
            st.execute("ALTER TABLE caption_texts ADD COLUMN IF NOT EXISTS " + COLUMN + " vector(" + CaptionEmbedder.DIMENSIONS + ")");
            st.execute("""
                    CREATE OR REPLACE FUNCTION caption_texts_hnsw_fill() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        NEW.%1$s := NEW.embedding::vector;
                        RETURN NEW;
                    END $$""".formatted(COLUMN));
            st.execute("DROP TRIGGER IF EXISTS caption_texts_hnsw_fill ON caption_texts");
            st.execute("CREATE TRIGGER caption_texts_hnsw_fill BEFORE INSERT OR UPDATE OF embedding ON caption_texts "
                    + "FOR EACH ROW EXECUTE FUNCTION caption_texts_hnsw_fill()");
            int filled = st.executeUpdate("UPDATE caption_texts SET " + COLUMN + " = embedding::vector WHERE " + COLUMN + " IS NULL");
            st.execute("CREATE INDEX IF NOT EXISTS " + INDEX + " ON caption_texts USING hnsw (" + COLUMN + " vector_cosine_ops)");
            c.commit();
            Log.infof("semantic search: pgvector HNSW (%s; %d stored texts indexed now, %d ms)", INDEX, filled,
                    (System.nanoTime() - start) / 1_000_000);
            return State.IN_USE;
        } catch (SQLException e) {
            c.rollback();
            // e.g. no privilege to create the extension: the exact path still answers every search
            Log.warnf("semantic search: %s; pgvector is installed but could not be set up: %s", HybridSearch.EXACT, e.getMessage());
            return State.ABSENT;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** A float vector as pgvector's text form, {@code [x,y,...]}. */
    static String literal(float[] v) {
        StringBuilder out = new StringBuilder(v.length * 12).append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(v[i]); // Float.toString: the shortest text that reads back as the same float
        }
        return out.append(']').toString();
    }
}
