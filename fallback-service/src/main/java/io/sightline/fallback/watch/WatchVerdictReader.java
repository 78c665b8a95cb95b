package io.sightline.fallback.watch;

/** Reads a watch verdict from model text with common's response parser (the single parser of the project). */
final class WatchVerdictReader {

    record Verdict(boolean parsed, boolean conditionMet, int nextRunIn, String reasoning, String notificationMessage, String error) {
    }

    private WatchVerdictReader() {
    }

    static Verdict read(String content, int minNextRun, int maxNextRun) {
        throw new UnsupportedOperationException("waiting for common's watch verdict parser");
    }
}
