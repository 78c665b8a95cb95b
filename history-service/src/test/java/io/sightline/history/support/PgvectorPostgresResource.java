package io.sightline.history.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.testsupport.TestAssets;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh database on a PostgreSQL server that has pgvector: {@code SIGHTLINE_TEST_PGVECTOR_URL} (the JDBC URL of a
 * database on that server a superuser can connect to; {@code .ci/run} starts one with {@code tools/pgvector/server.sh}).
 * Without the variable the test class is skipped, or fails under {@code -Dsightline.require-assets=true} (CI).
 * The database is dropped on stop.
 */
public class PgvectorPostgresResource implements QuarkusTestResourceLifecycleManager {

    public static final String URL_VARIABLE = "SIGHTLINE_TEST_PGVECTOR_URL";

    private String adminUrl;
    private String database;

    /** Skips (or fails, when required) the class before Quarkus starts if no pgvector server is given. */
    public static final class Available implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (System.getenv(URL_VARIABLE) != null) {
                return ConditionEvaluationResult.enabled(URL_VARIABLE + " is set");
            }
            RuntimeException missing = TestAssets.unavailable("no PostgreSQL with pgvector: set " + URL_VARIABLE
                    + " (tools/pgvector/server.sh start DIR prints one)");
            if (missing instanceof IllegalStateException) {
                throw missing;
            }
            return ConditionEvaluationResult.disabled(missing.getMessage());
        }
    }

    @Override
    public Map<String, String> start() {
        adminUrl = System.getenv(URL_VARIABLE);
        database = "history_pgvector_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(adminUrl, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database); // generated name, no input
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a database on " + adminUrl + ": " + e.getMessage(), e);
        }
        String url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + database;
        return Map.of("quarkus.datasource.jdbc.url", url, "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "");
    }

    @Override
    public void stop() {
        try (Connection c = DriverManager.getConnection(adminUrl, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop " + database + ": " + e.getMessage(), e);
        }
    }
}
