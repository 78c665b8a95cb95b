package io.sightline.common.vlm;

import java.util.Base64;
import java.util.Objects;

/** One part of a chat message: text, or an image sent as a {@code data:} URI. */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.Image {

    record Text(String text) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Encoded image bytes (image/jpeg or image/png); sent as {@code data:<mime>;base64,<bytes>}. */
    record Image(String mimeType, byte[] bytes) implements ContentPart {
        public Image {
            Objects.requireNonNull(mimeType, "mimeType");
            Objects.requireNonNull(bytes, "bytes");
        }

        public String dataUri() {
            return "data:" + mimeType + ";base64," + Base64.getEncoder().encodeToString(bytes);
        }

        @Override
        public String toString() {
            return "Image[" + mimeType + ", " + bytes.length + " bytes]";
        }
    }
}
