package io.sightline.watch;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Size;

/**
 * A region of the frame, normalised to 0..1 of its width and height (top-left corner plus size), so
 * it does not depend on the resolution. A detection is in the zone when the centre of its box is.
 */
public record Zone(
        @Size(max = 100) String name,
        @DecimalMin("0.0") @DecimalMax("1.0") double x,
        @DecimalMin("0.0") @DecimalMax("1.0") double y,
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") double width,
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") double height) {

    private static final double EPSILON = 1e-9;

    /** Whether the normalised point (0..1) lies inside the zone (edges included). */
    public boolean contains(double px, double py) {
        return px >= x && px <= x + width && py >= y && py <= y + height;
    }

    @JsonIgnore
    @AssertTrue(message = "zone must lie inside the frame: x + width and y + height must not exceed 1")
    public boolean isInsideFrame() {
        return x + width <= 1 + EPSILON && y + height <= 1 + EPSILON;
    }

    /** How the zone is described to the model. */
    String describe() {
        String label = name == null || name.isBlank() ? "zone" : "zone '" + name + "'";
        return String.format(java.util.Locale.ROOT, "%s (x %.0f%%-%.0f%%, y %.0f%%-%.0f%% of the frame from the top-left)",
                label, x * 100, (x + width) * 100, y * 100, (y + height) * 100);
    }
}
