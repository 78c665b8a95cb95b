package io.sightline.common.vocabulary;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words a query may use for what the detector reports (COCO's 80 classes in plain words), with
 * plurals, common synonyms and group words ("vehicles", "animals"). Detector labels go through the same
 * mapping, so VOC-style spellings ("motorbike", "tvmonitor") match too.
 */
public final class ObjectVocabulary {

    /** What a query asks about: specific labels, anything at all, or a thing the detector cannot report. */
    public record Target(Set<String> labels, boolean anything, String unknownWord) {
        public static Target of(Set<String> labels) {
            return new Target(Set.copyOf(labels), false, null);
        }

        public static Target any() {
            return new Target(Set.of(), true, null);
        }

        public static Target unknown(String word) {
            return new Target(Set.of(), false, word);
        }

        public boolean known() {
            return unknownWord == null;
        }
    }

    public static final List<String> LABELS = List.of(
            "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
            "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
            "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
            "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
            "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
            "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
            "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
            "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
            "teddy bear", "hair drier", "toothbrush");

    private static final Map<String, String> IRREGULAR_PLURALS = Map.ofEntries(
            Map.entry("person", "people"), Map.entry("mouse", "mice"), Map.entry("knife", "knives"),
            Map.entry("sheep", "sheep"), Map.entry("skis", "skis"), Map.entry("scissors", "scissors"),
            Map.entry("broccoli", "broccoli"), Map.entry("tv", "TVs"));

    private static final Map<String, Set<String>> GROUPS = Map.of(
            "vehicle", Set.of("car", "truck", "bus", "motorcycle", "bicycle"),
            "animal", Set.of("bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"),
            "pet", Set.of("cat", "dog"));

    private static final Set<String> ANYTHING = Set.of("thing", "things", "object", "objects", "anything", "something",
            "stuff", "item", "items", "everything");

    private static final Map<String, String> WORDS = new HashMap<>();

    static {
        for (String label : LABELS) {
            WORDS.put(label, label);
            WORDS.put(plural(label), label);
        }
        String[][] synonyms = {
                {"people", "person"}, {"persons", "person"}, {"someone", "person"}, {"somebody", "person"},
                {"anyone", "person"}, {"anybody", "person"}, {"man", "person"}, {"men", "person"},
                {"woman", "person"}, {"women", "person"}, {"child", "person"}, {"children", "person"},
                {"kid", "person"}, {"kids", "person"}, {"visitor", "person"}, {"visitors", "person"},
                {"intruder", "person"}, {"intruders", "person"}, {"customer", "person"}, {"customers", "person"},
                {"pedestrian", "person"}, {"pedestrians", "person"}, {"guest", "person"}, {"guests", "person"},
                {"human", "person"}, {"humans", "person"}, {"headcount", "person"}, {"baby", "person"},
                {"babies", "person"}, {"toddler", "person"}, {"toddlers", "person"},
                {"bike", "bicycle"}, {"bikes", "bicycle"}, {"motorbike", "motorcycle"}, {"motorbikes", "motorcycle"},
                {"aeroplane", "airplane"}, {"aeroplanes", "airplane"}, {"plane", "airplane"}, {"planes", "airplane"},
                {"sofa", "couch"}, {"sofas", "couch"}, {"tvmonitor", "tv"}, {"television", "tv"},
                {"televisions", "tv"}, {"tvs", "tv"}, {"monitor", "tv"}, {"monitors", "tv"},
                {"phone", "cell phone"}, {"phones", "cell phone"}, {"cellphone", "cell phone"},
                {"fridge", "refrigerator"}, {"fridges", "refrigerator"}, {"plant", "potted plant"},
                {"plants", "potted plant"}, {"pottedplant", "potted plant"}, {"table", "dining table"},
                {"tables", "dining table"}, {"diningtable", "dining table"}, {"puppy", "dog"}, {"puppies", "dog"},
                {"kitten", "cat"}, {"kittens", "cat"}, {"automobile", "car"}, {"automobiles", "car"},
                {"lorry", "truck"}, {"lorries", "truck"}, {"ball", "sports ball"}, {"balls", "sports ball"},
                {"bag", "handbag"}, {"bags", "handbag"}, {"doughnut", "donut"}, {"doughnuts", "donut"},
                {"glass", "wine glass"}, {"glasses", "wine glass"}, {"mug", "cup"}, {"mugs", "cup"},
                {"hairdryer", "hair drier"}, {"hair dryer", "hair drier"}};
        for (String[] s : synonyms) {
            WORDS.put(s[0], s[1]);
        }
    }

    /** Phrases that name what a count or presence question is about, e.g. "how many X", "is there a X". */
    private static final List<Pattern> TARGET_PATTERNS = List.of(
            Pattern.compile("how many ([a-z]+(?: [a-z]+)?)"),
            Pattern.compile("(?:count|number of|headcount of) (?:the |all |any )?([a-z]+(?: [a-z]+)?)"),
            Pattern.compile("(?:is|are) there (?:a |an |any |some |the )?([a-z]+(?: [a-z]+)?)"),
            Pattern.compile("(?:do|can|does) (?:you|it|the camera) (?:see|spot) (?:a |an |any |some |the |my )?([a-z]+(?: [a-z]+)?)"),
            Pattern.compile("^(?:is|are) (?:a |an |any |some |the |my |our )?([a-z]+(?: [a-z]+)?)"),
            Pattern.compile("^any ([a-z]+(?: [a-z]+)?)"));

    private ObjectVocabulary() {
    }

    /** Canonical plain-word label of a detector label or query word; empty when it is not one of ours. */
    public static Optional<String> canonical(String word) {
        if (word == null) {
            return Optional.empty();
        }
        String w = word.toLowerCase(Locale.ROOT).trim().replace('_', ' ');
        String found = WORDS.get(w);
        if (found == null && w.endsWith("es")) {
            found = WORDS.get(w.substring(0, w.length() - 2));
        }
        if (found == null && w.endsWith("s")) {
            found = WORDS.get(w.substring(0, w.length() - 1));
        }
        return Optional.ofNullable(found);
    }

    /** What a count or presence question is about. */
    public static Target target(String query) {
        String q = normalise(query);
        for (Pattern pattern : TARGET_PATTERNS) {
            Matcher m = pattern.matcher(q);
            if (m.find()) {
                Target t = resolve(m.group(1));
                if (t != null) {
                    return t;
                }
            }
        }
        Set<String> mentioned = mentioned(q);
        return mentioned.isEmpty() ? Target.any() : Target.of(mentioned);
    }

    public static String plural(String label) {
        String irregular = IRREGULAR_PLURALS.get(label);
        if (irregular != null) {
            return irregular;
        }
        if (label.endsWith("s") || label.endsWith("x") || label.endsWith("ch") || label.endsWith("sh")) {
            return label + "es";
        }
        return label + "s";
    }

    /** "1 person", "2 people", "3 cars". */
    public static String counted(String label, long count) {
        return count + " " + (count == 1 ? label : plural(label));
    }

    private static Target resolve(String phrase) {
        String[] words = phrase.split(" ");
        if (words.length == 2) {
            Optional<String> two = canonical(phrase);
            if (two.isPresent()) {
                return Target.of(Set.of(two.get()));
            }
        }
        String first = words[0];
        if (ANYTHING.contains(first)) {
            return Target.any();
        }
        if (GROUPS.containsKey(first) || (first.endsWith("s") && GROUPS.containsKey(first.substring(0, first.length() - 1)))) {
            return Target.of(GROUPS.getOrDefault(first, GROUPS.get(first.substring(0, first.length() - 1))));
        }
        Optional<String> one = canonical(first);
        if (one.isPresent()) {
            return Target.of(Set.of(one.get()));
        }
        if (Set.of("one", "ones", "of", "in", "on", "at", "there", "here", "it", "that", "this", "camera", "you").contains(first)) {
            return null;
        }
        return Target.unknown(first);
    }

    private static Set<String> mentioned(String q) {
        Set<String> labels = new LinkedHashSet<>();
        String[] words = q.split(" ");
        for (int i = 0; i < words.length; i++) {
            if (i + 1 < words.length) {
                Optional<String> two = canonical(words[i] + " " + words[i + 1]);
                if (two.isPresent()) {
                    labels.add(two.get());
                    i++;
                    continue;
                }
            }
            canonical(words[i]).ifPresent(labels::add);
            String single = words[i].endsWith("s") ? words[i].substring(0, words[i].length() - 1) : words[i];
            if (GROUPS.containsKey(single)) {
                labels.addAll(GROUPS.get(single));
            }
        }
        return labels;
    }

    private static String normalise(String query) {
        return query.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 ]+", " ").replaceAll("\\s+", " ").trim();
    }
}
