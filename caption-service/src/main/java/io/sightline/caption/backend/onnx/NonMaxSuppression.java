package io.sightline.caption.backend.onnx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Greedy class-wise NMS: within one class, a box overlapping a better one by more than the IoU limit is dropped. */
final class NonMaxSuppression {

    private NonMaxSuppression() {
    }

    static List<ScoredBox> classWise(List<ScoredBox> candidates, double iouLimit) {
        Map<Integer, List<ScoredBox>> byClass = new TreeMap<>();
        for (ScoredBox c : candidates) {
            byClass.computeIfAbsent(c.classId(), k -> new ArrayList<>()).add(c);
        }
        List<ScoredBox> kept = new ArrayList<>();
        for (List<ScoredBox> group : byClass.values()) {
            kept.addAll(greedy(group, iouLimit));
        }
        kept.sort(Comparator.comparingDouble(ScoredBox::score).reversed());
        return kept;
    }

    static List<ScoredBox> greedy(List<ScoredBox> candidates, double iouLimit) {
        List<ScoredBox> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(ScoredBox::score).reversed());
        List<ScoredBox> kept = new ArrayList<>();
        boolean[] suppressed = new boolean[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            if (suppressed[i]) {
                continue;
            }
            ScoredBox best = sorted.get(i);
            kept.add(best);
            for (int j = i + 1; j < sorted.size(); j++) {
                if (!suppressed[j] && best.box().iou(sorted.get(j).box()) > iouLimit) {
                    suppressed[j] = true;
                }
            }
        }
        return kept;
    }
}
