package io.sightline.caption.escalation;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Compares a frame's signature with the one of the camera's last described frame and names the first
 * meaning change found, in this order: a class appeared, a class left, a count changed, an object moved
 * materially, the text changed. Pure logic; thresholds come from the camera's {@link EscalationRules}.
 */
public final class SceneChange {

    /** Why a frame escalates (or not); {@code code} is a bounded metric tag, {@code detail} the particulars. */
    public record Trigger(String code, String detail) {
    }

    public static final String CLASS_APPEARED = "class_appeared";
    public static final String CLASS_LEFT = "class_left";
    public static final String COUNT_CHANGED = "count_changed";
    public static final String MOVED = "moved";
    public static final String TEXT_CHANGED = "text_changed";

    private SceneChange() {
    }

    public static Optional<Trigger> between(SceneSignature described, SceneSignature now, EscalationRules rules) {
        // hysteresis: a class appears when it scores minScore now and was not there at any score; it leaves when
        // it is not there now at any score (so a cup hovering around minScore under changing light is no event)
        TreeSet<String> appeared = new TreeSet<>();
        for (String label : now.objects().keySet()) {
            if (described.countWithWeak(label) == 0) {
                appeared.add(label);
            }
        }
        if (!appeared.isEmpty()) {
            return Optional.of(new Trigger(CLASS_APPEARED, String.join(", ", appeared)));
        }
        TreeSet<String> left = new TreeSet<>();
        for (String label : described.objects().keySet()) {
            if (now.countWithWeak(label) == 0) {
                left.add(label);
            }
        }
        if (!left.isEmpty()) {
            return Optional.of(new Trigger(CLASS_LEFT, String.join(", ", left)));
        }
        TreeSet<String> labels = new TreeSet<>(now.objects().keySet());
        labels.addAll(described.objects().keySet());
        for (String label : labels) {
            int before = described.count(label);
            int after = now.count(label);
            // more strong objects than there were at all, or fewer objects at all than there were strong ones
            if (after > described.countWithWeak(label) || now.countWithWeak(label) < before) {
                return Optional.of(new Trigger(COUNT_CHANGED, label + " " + before + " -> " + after));
            }
        }
        for (var entry : now.objects().entrySet()) {
            double moved = largestShift(described.objects().get(entry.getKey()), entry.getValue());
            if (moved >= rules.movement()) {
                return Optional.of(new Trigger(MOVED, entry.getKey() + String.format(java.util.Locale.ROOT, " %.2f", moved)));
            }
        }
        double textDiff = textDifference(described.text(), now.text());
        if (textDiff > rules.textChange()) {
            return Optional.of(new Trigger(TEXT_CHANGED, String.format(java.util.Locale.ROOT, "%.0f%% of the text", textDiff * 100)));
        }
        return Optional.empty();
    }

    /**
     * Largest centre shift between two equally long position lists (both sorted left to right, so the i-th
     * object of one is paired with the i-th of the other), as a share of the frame diagonal.
     */
    static double largestShift(List<SceneSignature.Position> before, List<SceneSignature.Position> after) {
        double largest = 0;
        if (before == null || after == null) {
            return 0;
        }
        for (int i = 0; i < Math.min(before.size(), after.size()); i++) {
            double dx = before.get(i).x() - after.get(i).x();
            double dy = before.get(i).y() - after.get(i).y();
            largest = Math.max(largest, Math.sqrt(dx * dx + dy * dy) / Math.sqrt(2));
        }
        return largest;
    }

    /** Edit distance between the normalised texts as a share of the longer one (0 equal, 1 nothing in common). */
    static double textDifference(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        int longer = Math.max(a.length(), b.length());
        // OCR reads at most a few lines; cap the work for pathological pages
        String x = a.length() > 2000 ? a.substring(0, 2000) : a;
        String y = b.length() > 2000 ? b.substring(0, 2000) : b;
        int[] prev = new int[y.length() + 1];
        int[] cur = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return Math.min(1.0, prev[y.length()] / (double) Math.min(longer, 2000));
    }
}
