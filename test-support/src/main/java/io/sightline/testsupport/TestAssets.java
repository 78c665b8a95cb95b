package io.sightline.testsupport;

import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tests that need the shared assets ({@code ../shared/models}, {@code ../shared/testdata}) call
 * {@link #require}: on a fresh clone without them the test is skipped with the reason; where they are
 * expected (CI: {@code -Dsightline.require-assets=true}, set by {@code .ci/run}) a missing asset fails it.
 */
public final class TestAssets {

    /** System property (or env {@code SIGHTLINE_REQUIRE_ASSETS}) that turns a skip for a missing asset into a failure. */
    public static final String REQUIRE_PROPERTY = "sightline.require-assets";

    private TestAssets() {
    }

    /** Returns {@code path} if it exists; otherwise skips the calling test, or fails it when assets are required. */
    public static Path require(Path path, String what) {
        if (Files.exists(path)) {
            return path;
        }
        throw missing(what + " not found at " + path.toAbsolutePath().normalize());
    }

    /** The exception for an asset that is not there: a skip (JUnit assumption) or, when required, a failure. */
    public static RuntimeException missing(String reason) {
        return unavailable(reason + " (../shared with the models and test images is not next to this checkout; "
                + "set -Dsightline.models.dir / -Dsightline.testdata.dir to use copies elsewhere)");
    }

    /** Like {@link #missing} for a prerequisite that is not a shared asset (e.g. a Debian package). */
    public static RuntimeException unavailable(String reason) {
        if (required()) {
            return new IllegalStateException(reason + "; -D" + REQUIRE_PROPERTY + "=true makes this a failure");
        }
        return new TestAbortedException("skipped: " + reason);
    }

    public static boolean required() {
        String value = System.getProperty(REQUIRE_PROPERTY, System.getenv("SIGHTLINE_REQUIRE_ASSETS"));
        return Boolean.parseBoolean(value);
    }
}
