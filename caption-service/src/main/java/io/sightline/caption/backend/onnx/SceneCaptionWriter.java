package io.sightline.caption.backend.onnx;

import io.sightline.common.event.DetectionsProduced;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link SceneAnalysis} into the words the {@code onnx} and {@code labels} tiers publish:
 * a short sentence ("A cup is on a table.", "Two people are visible.", "The screen shows text: '…'.")
 * or a label list ("Scene contains: person, car"). Only what was detected is said; nothing is guessed.
 */
public final class SceneCaptionWriter {

    static final String NOTHING = "Nothing recognisable is visible.";
    /** Longest quoted text in a caption; longer text is cut at a word boundary with an ellipsis. */
    static final int MAX_TEXT_CHARS = 120;
    /** At most this many kinds of object are named in one sentence. */
    static final int MAX_GROUPS = 4;
    /** Text lines (with no object detected) from which the text is called a page. */
    static final int PAGE_LINES = 3;

    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen"};
    private static final String[] TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
    private static final Map<String, String> PLURALS = Map.ofEntries(
            Map.entry("person", "people"), Map.entry("mouse", "mice"), Map.entry("knife", "knives"),
            Map.entry("sheep", "sheep"), Map.entry("skis", "pairs of skis"), Map.entry("scissors", "pairs of scissors"));
    private static final Map<String, String> SINGULARS = Map.of(
            "skis", "pair of skis", "scissors", "pair of scissors", "tv", "TV");
    private static final Set<String> SURFACES = Set.of("table", "bed", "couch", "chair", "bench");
    private static final Set<String> SCREENS = Set.of("tv", "laptop", "cell phone");

    private SceneCaptionWriter() {
    }

    /** One or two short sentences naming what was detected and quoting the text that was read. */
    public static String caption(SceneAnalysis analysis) {
        return caption(analysis, false);
    }

    /**
     * As {@link #caption(SceneAnalysis)}; {@code screenSource}: the frame comes from a screen agent, so its text
     * is on a screen even when no monitor is detected. Otherwise text is said to be on a screen only when a
     * screen (TV, laptop, phone) is detected; several lines with nothing else are a page.
     */
    public static String caption(SceneAnalysis analysis, boolean screenSource) {
        List<Group> groups = groups(analysis.objects());
        String text = quotedText(analysis.texts());
        if (groups.isEmpty() && text.isEmpty()) {
            return NOTHING;
        }
        StringBuilder out = new StringBuilder();
        if (!groups.isEmpty()) {
            out.append(objectSentence(groups));
        }
        if (!text.isEmpty()) {
            if (out.length() > 0) {
                out.append(' ');
            }
            boolean screen = screenSource || groups.stream().anyMatch(g -> SCREENS.contains(g.label));
            long lines = analysis.texts().stream().filter(t -> !t.text().isBlank()).count();
            String lead = screen ? "The screen shows text: '"
                    : groups.isEmpty() && lines >= PAGE_LINES ? "A page of text reads: '" : "Text reads: '";
            out.append(lead).append(text).append("'.");
        }
        return out.toString();
    }

    /** "Scene contains: person, car": distinct plain-word labels, best score first. */
    public static String labels(SceneAnalysis analysis) {
        List<String> names = new ArrayList<>();
        for (Group g : groups(analysis.objects())) {
            names.add(g.label);
        }
        if (!analysis.texts().isEmpty()) {
            names.add("text");
        }
        return names.isEmpty() ? "Scene contains: nothing recognisable" : "Scene contains: " + String.join(", ", names);
    }

    /** Objects of one label: how many, the best score, the best box. */
    private static final class Group {
        final String label;
        int count;
        final double score;
        final DetectionsProduced.Box box;

        Group(String label, double score, DetectionsProduced.Box box) {
            this.label = label;
            this.score = score;
            this.box = box;
        }

        String phrase() {
            if (count == 1) {
                String word = SINGULARS.getOrDefault(label, label);
                return (startsWithVowel(word) ? "an " : "a ") + word;
            }
            return number(count) + " " + plural(label);
        }

        String verb() {
            return count == 1 ? "is" : "are";
        }
    }

    private static List<Group> groups(List<DetectionsProduced.Detection> objects) {
        List<DetectionsProduced.Detection> sorted = new ArrayList<>(objects);
        sorted.sort((a, b) -> Double.compare(b.score(), a.score()));
        Map<String, Group> byLabel = new LinkedHashMap<>();
        for (DetectionsProduced.Detection d : sorted) {
            String label = PlainWords.label(d.label());
            byLabel.computeIfAbsent(label, l -> new Group(l, d.score(), d.box())).count++;
        }
        return new ArrayList<>(byLabel.values());
    }

    private static String objectSentence(List<Group> groups) {
        if (groups.size() == 1) {
            Group g = groups.get(0);
            return capitalise(g.phrase()) + " " + g.verb() + " visible.";
        }
        if (groups.size() == 2) {
            Group a = groups.get(0);
            Group b = groups.get(1);
            if (SURFACES.contains(a.label) && !SURFACES.contains(b.label)) {
                Group t = a;
                a = b;
                b = t;
            }
            String relation = relation(a, b);
            if (relation != null) {
                return capitalise(a.phrase()) + " " + a.verb() + " " + relation + " " + b.phrase() + ".";
            }
            return capitalise(a.phrase()) + " and " + b.phrase() + " are visible.";
        }
        List<Group> named = groups.subList(0, Math.min(MAX_GROUPS, groups.size()));
        boolean others = groups.size() > named.size();
        StringBuilder s = new StringBuilder(capitalise(named.get(0).phrase()));
        for (int i = 1; i < named.size(); i++) {
            s.append(i == named.size() - 1 && !others ? " and " : ", ").append(named.get(i).phrase());
        }
        if (others) {
            s.append(" and others");
        }
        return s.append(" are visible.").toString();
    }

    /**
     * A spatial relation the boxes support, or null when they support none. Only single objects are related:
     * a group is known by its best box alone, and "two people are next to a car" would claim it of both.
     */
    private static String relation(Group subject, Group other) {
        DetectionsProduced.Box s = subject.box;
        DetectionsProduced.Box o = other.box;
        if (subject.count != 1 || other.count != 1) {
            return null;
        }
        if (SURFACES.contains(other.label)) {
            if (subject.label.equals("person") && other.label.equals("table")) {
                return overlapArea(s, o) > 0 ? "at" : null;
            }
            double inside = s.width() * s.height() == 0 ? 0 : overlapArea(s, o) / (s.width() * s.height());
            double subjectCentreY = s.y() + s.height() / 2;
            if (inside >= 0.6 && subjectCentreY <= o.y() + o.height() * 0.75) {
                return "on";
            }
            return null;
        }
        double verticalOverlap = Math.min(s.y() + s.height(), o.y() + o.height()) - Math.max(s.y(), o.y());
        double gap = Math.max(o.x() - (s.x() + s.width()), s.x() - (o.x() + o.width()));
        boolean sideBySide = verticalOverlap > 0.3 * Math.min(s.height(), o.height())
                && gap < 0.5 * Math.max(s.width(), o.width())
                && overlapArea(s, o) < 0.3 * Math.min(s.width() * s.height(), o.width() * o.height());
        return sideBySide ? "next to" : null;
    }

    private static double overlapArea(DetectionsProduced.Box a, DetectionsProduced.Box b) {
        double w = Math.min(a.x() + a.width(), b.x() + b.width()) - Math.max(a.x(), b.x());
        double h = Math.min(a.y() + a.height(), b.y() + b.height()) - Math.max(a.y(), b.y());
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    /**
     * Lines joined with " / ", cut at a word boundary when too long, then escaped for the single quotes around
     * it (a backslash before every ' and \\; control characters dropped); empty when nothing was read.
     */
    static String quotedText(List<DetectionsProduced.RecognizedText> texts) {
        return escape(joinedText(texts));
    }

    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("'", "\\'");
    }

    private static String joinedText(List<DetectionsProduced.RecognizedText> texts) {
        List<String> lines = new ArrayList<>();
        for (DetectionsProduced.RecognizedText t : texts) {
            String line = t.text().replaceAll("\\p{Cntrl}", " ").replaceAll("\\s+", " ").strip();
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        String joined = String.join(" / ", lines);
        if (joined.length() <= MAX_TEXT_CHARS) {
            return joined;
        }
        int cut = joined.lastIndexOf(' ', MAX_TEXT_CHARS);
        String head = joined.substring(0, cut > MAX_TEXT_CHARS / 2 ? cut : MAX_TEXT_CHARS).strip();
        if (head.endsWith("/")) {
            head = head.substring(0, head.length() - 1).strip();
        }
        return head + "…";
    }

    /** Counts in words: "thirteen", "twenty-one", "ninety-nine"; a hundred and more as "over a hundred". */
    static String number(int n) {
        if (n < NUMBERS.length) {
            return NUMBERS[n];
        }
        if (n < 100) {
            return TENS[n / 10] + (n % 10 == 0 ? "" : "-" + NUMBERS[n % 10]);
        }
        return n == 100 ? "a hundred" : "over a hundred";
    }

    static String plural(String label) {
        String known = PLURALS.get(label);
        if (known != null) {
            return known;
        }
        if (label.equals("tv")) {
            return "TVs";
        }
        if (label.endsWith("s") || label.endsWith("x") || label.endsWith("ch") || label.endsWith("sh")) {
            return label + "es";
        }
        if (label.endsWith("y") && label.length() > 1 && "aeiou".indexOf(label.charAt(label.length() - 2)) < 0) {
            return label.substring(0, label.length() - 1) + "ies";
        }
        return label + "s";
    }

    private static boolean startsWithVowel(String word) {
        return !word.isEmpty() && "aeiou".indexOf(Character.toLowerCase(word.charAt(0))) >= 0;
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
