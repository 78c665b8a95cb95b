package io.sightline.common.vlm.parse;

/**
 * What a model's box numbers are in. Qwen2.5-VL writes {@code bbox_2d} in pixels of the image it was sent;
 * Qwen3-VL, Qwen-VL's {@code <box>} tags and Gemini's {@code box_2d} use 0-1000 of the image; some models
 * answer in 0-1. The numbers alone cannot always tell pixels from 0-1000 (a box inside a 1024x576 image is
 * valid in both), so a deployment that knows its model says so; {@link #AUTO} guesses as
 * {@link VlmResponseParser#parseBox(String, ScreenSize, BoxUnits)} describes.
 */
public enum BoxUnits {
    AUTO, PIXELS, PER_MILLE, FRACTION
}
