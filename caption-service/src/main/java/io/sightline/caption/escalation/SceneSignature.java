package io.sightline.caption.escalation;

import io.sightline.common.event.DetectionsProduced;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a camera's frame means, as far as the cheap eyes can tell: object classes with their counts and
 * coarse positions (box centres as shares of the frame, sorted left to right), the text read (normalised:
 * lower case, letters and digits, single spaces) and the capture gate's change score.
 */
public record SceneSignature(Map<String, List<Position>> objects, Map<String, Integer> weak, String text, double changeScore) {

    /** A box centre as shares (0-1) of frame width and height. */
    public record Position(double x, double y) {
    }

    public SceneSignature {
        TreeMap<String, List<Position>> copy = new TreeMap<>();
        objects.forEach((label, positions) -> copy.put(label, List.copyOf(positions)));
        objects = java.util.Collections.unmodifiableMap(copy);
        weak = weak == null ? Map.of() : Map.copyOf(weak);
        text = text == null ? "" : text;
    }

    /**
     * The signature of one analysed frame. Detections scoring at least {@code minScore} are its objects; weaker
     * ones are only counted per label ({@link #weak()}): an object already described that scores a little lower
     * now (noise, light) has not left, so the comparison uses them as hysteresis.
     */
    public static SceneSignature of(List<DetectionsProduced.Detection> detections, List<DetectionsProduced.RecognizedText> texts,
                                    int width, int height, double minScore, double changeScore) {
        Map<String, List<Position>> objects = new TreeMap<>();
        Map<String, Integer> weak = new TreeMap<>();
        double w = Math.max(1, width);
        double h = Math.max(1, height);
        for (DetectionsProduced.Detection d : detections) {
            if (d.score() < minScore) {
                weak.merge(d.label(), 1, Integer::sum);
                continue;
            }
            DetectionsProduced.Box b = d.box();
            objects.computeIfAbsent(d.label(), l -> new ArrayList<>())
                    .add(new Position(clamp((b.x() + b.width() / 2) / w), clamp((b.y() + b.height() / 2) / h)));
        }
        objects.values().forEach(p -> p.sort(Comparator.comparingDouble(Position::x).thenComparingDouble(Position::y)));
        StringBuilder text = new StringBuilder();
        for (DetectionsProduced.RecognizedText t : texts) {
            text.append(' ').append(t.text());
        }
        return new SceneSignature(objects, weak, normalise(text.toString()), changeScore);
    }

    public int count(String label) {
        List<Position> p = objects.get(label);
        return p == null ? 0 : p.size();
    }

    /** Objects of the label at any reported score (strong plus weak). */
    public int countWithWeak(String label) {
        return count(label) + weak.getOrDefault(label, 0);
    }

    /** "cat, 2 person" — for logs and the backends view. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        objects.forEach((label, p) -> parts.add(p.size() == 1 ? label : p.size() + " " + label));
        String s = parts.isEmpty() ? "no objects" : String.join(", ", parts);
        return text.isEmpty() ? s : s + "; text " + text.length() + " chars";
    }

    static String normalise(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ");
        return lower.strip();
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
