package io.sightline.fallback.vlm;

import io.sightline.common.vlm.parse.BoxUnits;
import io.sightline.common.vlm.parse.FrameBox;
import io.sightline.common.vlm.parse.ParsedBox;
import io.sightline.common.vlm.parse.PointCommand;
import io.sightline.common.vlm.parse.ScreenSize;
import io.sightline.common.vlm.parse.VlmResponseParser;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads where the VLM put the thing a "where is ...?" question asks about, through common's one response
 * parser: a box first (its centre is then the point), else a point ({@code <point>x,y</point>} or a number
 * pair, 0-1000).
 */
public final class Grounding {

    private static final Pattern WHERE = Pattern.compile("(?i)^\\s*where\\b");

    private Grounding() {
    }

    /** Whether the question asks where something is. */
    public static boolean asksWhere(String query) {
        return query != null && WHERE.matcher(query).find();
    }

    /** {@code sent} is the size of the image the VLM was shown (null when it was shown none). */
    public static Optional<Location> locate(String query, String answer, ScreenSize sent, BoxUnits units) {
        if (!asksWhere(query) || answer == null) {
            return Optional.empty();
        }
        ParsedBox parsed = VlmResponseParser.parseBox(answer, sent, units);
        if (parsed.box().isPresent()) {
            FrameBox box = parsed.box().get();
            return Optional.of(new Location(box.centreX(), box.centreY(), Optional.of(box), parsed.reason()));
        }
        PointCommand point = VlmResponseParser.parsePoint(answer);
        if (point.kind() == PointCommand.Kind.CLICK && point.point().isPresent()) {
            return Optional.of(new Location(point.point().get().x() / 1000.0, point.point().get().y() / 1000.0,
                    Optional.empty(), point.reason() + " (0-1000); no box: " + parsed.reason()));
        }
        return Optional.empty();
    }

    /** {@code auto}, {@code pixels}, {@code per-mille}, {@code fraction} (the config key's values). */
    public static BoxUnits units(String configured) {
        String v = configured == null ? "" : configured.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (v) {
            case "pixels", "pixel" -> BoxUnits.PIXELS;
            case "per-mille", "permille", "0-1000" -> BoxUnits.PER_MILLE;
            case "fraction", "0-1" -> BoxUnits.FRACTION;
            case "", "auto" -> BoxUnits.AUTO;
            default -> throw new IllegalArgumentException("sightline.fallback.vlm.box-units must be auto, pixels, per-mille or fraction, was '"
                    + configured + "'");
        };
    }

    /**
     * Where the VLM said the thing asked about is: a point in 0-1 of the frame (the box's centre when the
     * model gave a box), the box when it gave one, and which rule read them.
     */
    public record Location(double x, double y, Optional<FrameBox> box, String rule) {
    }
}
