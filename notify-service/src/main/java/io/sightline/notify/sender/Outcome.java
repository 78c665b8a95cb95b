package io.sightline.notify.sender;

/** What one attempt came to: delivered, worth retrying (5xx, timeout, connection), or refused for good (4xx, SSRF). */
public record Outcome(Kind kind, String error) {

    public enum Kind { DELIVERED, RETRY, PERMANENT }

    public static Outcome delivered() {
        return new Outcome(Kind.DELIVERED, null);
    }

    public static Outcome retry(String error) {
        return new Outcome(Kind.RETRY, error);
    }

    public static Outcome permanent(String error) {
        return new Outcome(Kind.PERMANENT, error);
    }
}
