package io.sightline.fallback.query;

import java.util.function.Consumer;

/**
 * Passes streamed text on so that the pieces add up to the stripped answer: whitespace before the first
 * visible character is dropped, whitespace is held back until something visible follows it (so trailing
 * whitespace never goes out).
 */
final class TokenTrim implements Consumer<String> {

    private final Consumer<String> next;
    private final StringBuilder held = new StringBuilder();
    private boolean started;

    TokenTrim(Consumer<String> next) {
        this.next = next;
    }

    @Override
    public void accept(String piece) {
        if (piece == null || piece.isEmpty()) {
            return;
        }
        held.append(piece);
        int end = held.length();
        while (end > 0 && Character.isWhitespace(held.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            return;
        }
        String out = held.substring(0, end);
        held.delete(0, end);
        if (!started) {
            out = out.stripLeading();
            started = true;
        }
        if (!out.isEmpty()) {
            next.accept(out);
        }
    }
}
