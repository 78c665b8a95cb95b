package io.sightline.common.vlm.parse;

import java.util.Optional;

/**
 * What a pointing model answered: click at a point, type a text, scroll, done, or nothing usable.
 *
 * @param kind           the command
 * @param point          for {@link Kind#CLICK}: screen pixels when the screen size was known
 *                       ({@code scaledToScreen}), else the model's 0-1000 normalised coordinates
 * @param text           for {@link Kind#TYPE}: the text to type
 * @param scaledToScreen whether {@code point} is in screen pixels
 * @param reason         for {@link Kind#NONE}: why nothing was recognised; otherwise which rule matched
 */
public record PointCommand(Kind kind, Optional<ScreenPoint> point, Optional<String> text, boolean scaledToScreen, String reason) {

    public enum Kind { CLICK, TYPE, SCROLL_UP, SCROLL_DOWN, DONE, NONE }

    static PointCommand none(String reason) {
        return new PointCommand(Kind.NONE, Optional.empty(), Optional.empty(), false, reason);
    }

    static PointCommand of(Kind kind, String reason) {
        return new PointCommand(kind, Optional.empty(), Optional.empty(), false, reason);
    }

    static PointCommand type(String text, String reason) {
        return new PointCommand(Kind.TYPE, Optional.empty(), Optional.of(text), false, reason);
    }

    static PointCommand click(ScreenPoint point, boolean scaled, String reason) {
        return new PointCommand(Kind.CLICK, Optional.of(point), Optional.empty(), scaled, reason);
    }
}
