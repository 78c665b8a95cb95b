package io.sightline.common.vlm.parse;

import java.util.Optional;

/**
 * A box read from a model's answer, or why none was.
 *
 * @param box    the box in 0-1 of the frame
 * @param reason with a box: which shape matched and the units assumed; without: why nothing usable was found
 */
public record ParsedBox(Optional<FrameBox> box, String reason) {

    static ParsedBox none(String reason) {
        return new ParsedBox(Optional.empty(), reason);
    }

    static ParsedBox of(FrameBox box, String reason) {
        return new ParsedBox(Optional.of(box), reason);
    }
}
