package io.sightline.caption.backend.onnx;

import java.util.Locale;
import java.util.Map;

/** COCO/VOC label spellings as the words people use ("motorbike" -> "motorcycle", "diningtable" -> "table"). */
final class PlainWords {

    private static final Map<String, String> WORDS = Map.ofEntries(
            Map.entry("motorbike", "motorcycle"),
            Map.entry("aeroplane", "airplane"),
            Map.entry("sofa", "couch"),
            Map.entry("tvmonitor", "tv"),
            Map.entry("tv monitor", "tv"),
            Map.entry("diningtable", "table"),
            Map.entry("dining table", "table"),
            Map.entry("pottedplant", "potted plant"),
            Map.entry("hair drier", "hair dryer"));

    private PlainWords() {
    }

    static String label(String raw) {
        String key = raw.strip().toLowerCase(Locale.ROOT);
        return WORDS.getOrDefault(key, key);
    }
}
