package io.sightline.common.vlm.parse;

/** A point: screen pixels, or 0-1000 normalised coordinates when the screen size was not known. */
public record ScreenPoint(int x, int y) {
}
