package io.sightline.common.vlm.parse;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place model text becomes structure (JSON objects, UI actions, pointing commands, watch
 * verdicts). Every method accepts any string, null included, and never throws: what cannot be read
 * comes back as a safe result that says why.
 */
public final class VlmResponseParser {

    /** Longer answers are cut: no model answer we act on is this long, and it bounds the work per call. */
    static final int MAX_INPUT = 256 * 1024;
    /** At most this many '{' are tried as the start of an object. */
    private static final int MAX_OBJECT_STARTS = 64;
    private static final int DEFAULT_NEXT_RUN_IN = 60;

    /** Models write JSON loosely: single quotes, trailing commas, comments, raw newlines inside strings. */
    private static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS, JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER,
                    JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS, JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Pattern FENCE = Pattern.compile("```[ \\t]*([A-Za-z0-9_-]*)[^\\n`]*\\n?(.*?)(?:```|\\z)", Pattern.DOTALL);

    private VlmResponseParser() {
    }

    // ---- JSON ------------------------------------------------------------------------------------

    /**
     * The JSON object in a model's answer: from a fenced {@code ```json} block first (then other fenced
     * blocks), else the first balanced {@code {...}} that parses (found by a depth-counted walk that skips
     * braces inside strings, so it is the outer object), else the text between the first '{' and the last
     * '}'. Null when nothing parses.
     */
    public static ObjectNode extractJson(String text) {
        try {
            if (text == null || text.isEmpty()) {
                return null;
            }
            String input = text.length() > MAX_INPUT ? text.substring(0, MAX_INPUT) : text;
            ObjectNode fenced = fromFences(input);
            if (fenced != null) {
                return fenced;
            }
            ObjectNode walked = firstBalancedObject(input);
            if (walked != null) {
                return walked;
            }
            int first = input.indexOf('{');
            int last = input.lastIndexOf('}');
            return first >= 0 && last > first ? parseObject(input.substring(first, last + 1)) : null;
        } catch (RuntimeException | StackOverflowError e) {
            return null;
        }
    }

    private static ObjectNode fromFences(String input) {
        if (!input.contains("```")) {
            return null;
        }
        List<String> jsonBlocks = new ArrayList<>();
        List<String> otherBlocks = new ArrayList<>();
        Matcher m = FENCE.matcher(input);
        while (m.find()) {
            (m.group(1).toLowerCase(Locale.ROOT).startsWith("json") ? jsonBlocks : otherBlocks).add(m.group(2));
        }
        for (List<String> blocks : List.of(jsonBlocks, otherBlocks)) {
            for (String block : blocks) {
                ObjectNode whole = parseObject(block.trim());
                if (whole != null) {
                    return whole;
                }
                ObjectNode inner = firstBalancedObject(block);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    private static ObjectNode firstBalancedObject(String text) {
        int starts = 0;
        for (int start = text.indexOf('{'); start >= 0 && starts < MAX_OBJECT_STARTS; start = text.indexOf('{', start + 1)) {
            starts++;
            int end = matchingBrace(text, start);
            if (end < 0) {
                continue;
            }
            ObjectNode node = parseObject(text.substring(start, end + 1));
            if (node != null) {
                return node;
            }
        }
        return null;
    }

    /** Index of the '}' closing the '{' at {@code start}, skipping braces in double-quoted strings; -1 if unclosed. */
    static int matchingBrace(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static ObjectNode parseObject(String candidate) {
        if (candidate.isEmpty() || candidate.charAt(0) != '{') {
            return null;
        }
        try {
            JsonNode node = LENIENT.readTree(candidate);
            return node instanceof ObjectNode object ? object : null;
        } catch (Exception | StackOverflowError e) {
            return null;
        }
    }

    // ---- action shape ------------------------------------------------------------------------------

    /** A UI action from the model's JSON answer; an unreadable answer gives the safe DONE/none result. */
    public static ParsedAction parseAction(String text) {
        try {
            ObjectNode json = extractJson(text);
            if (json == null) {
                return ParsedAction.unparseable(text == null || text.isBlank()
                        ? "the answer is empty" : "no JSON object in the answer: " + excerpt(text));
            }
            JsonNode nextAction = field(json, "next action", "next_action", "nextaction", "action");
            if (nextAction == null && field(json, "status") == null) {
                return ParsedAction.unparseable("the JSON has neither 'Next Action' nor 'Status': " + excerpt(json.toString()));
            }
            String action = normaliseAction(nextAction);
            String statusText = scalar(field(json, "status"));
            boolean saysDone = "done".equals(action);
            if (saysDone) {
                action = ParsedAction.NONE;
            }
            String status = statusText == null
                    ? (saysDone || ParsedAction.NONE.equals(action) ? ParsedAction.DONE : ParsedAction.IN_PROGRESS)
                    : normaliseStatus(statusText, saysDone);
            String reasoning = Optional.ofNullable(scalar(field(json, "reasoning", "reason", "analysis"))).orElse("");
            Optional<String> value = Optional.ofNullable(scalar(field(json, "value", "text", "input")));
            Optional<ScreenPoint> coordinate = coordinate(field(json, "coordinate", "coordinates", "point", "position"));
            OptionalInt boxId = boxId(field(json, "box id", "box_id", "boxid", "box"));
            List<JsonNode> elements = new ArrayList<>();
            JsonNode ui = field(json, "ui_elements", "ui elements", "uielements");
            if (ui != null && ui.isArray()) {
                ui.forEach(elements::add);
            } else if (ui != null && ui.isObject()) {
                elements.add(ui);
            }
            return new ParsedAction(action, status, reasoning, value, coordinate, boxId, elements, true, "");
        } catch (RuntimeException | StackOverflowError e) {
            return ParsedAction.unparseable("the answer could not be read: " + e);
        }
    }

    private static String normaliseAction(JsonNode node) {
        String raw = scalar(node);
        if (raw == null) {
            return ParsedAction.NONE;
        }
        String head = raw.strip();
        int comma = head.indexOf(',');
        if (comma > 0) {
            head = head.substring(0, comma); // "type, the password" style: the verb comes first
        }
        String action = head.toLowerCase(Locale.ROOT).replaceAll("[\\s-]+", "_").replaceAll("[^a-z0-9_]", "")
                .replaceAll("^_+|_+$", "");
        return switch (action) {
            case "", "none", "null", "nil", "n_a", "na", "no_action", "noop", "wait_none" -> ParsedAction.NONE;
            case "done", "finish", "finished", "complete", "completed", "stop" -> "done";
            case "click" -> "left_click";
            default -> action;
        };
    }

    private static String normaliseStatus(String status, boolean saysDone) {
        String s = status.strip().toUpperCase(Locale.ROOT).replaceAll("[\\s-]+", "_");
        if (saysDone || s.equals("DONE") || s.equals("COMPLETED") || s.equals("COMPLETE") || s.equals("FINISHED")
                || s.equals("SUCCESS") || s.equals("TASK_COMPLETE") || s.equals("TASK_COMPLETED")) {
            return ParsedAction.DONE;
        }
        return ParsedAction.IN_PROGRESS;
    }

    private static Optional<ScreenPoint> coordinate(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        Double x = null;
        Double y = null;
        if (node.isArray() && node.size() >= 2) {
            x = number(node.get(0));
            y = number(node.get(1));
        } else if (node.isObject()) {
            x = number(node.get("x"));
            y = number(node.get("y"));
        } else if (node.isTextual()) {
            Matcher m = NUMBER_PAIR.matcher(node.asText());
            if (m.find()) {
                x = Double.parseDouble(m.group(1));
                y = Double.parseDouble(m.group(2));
            }
        }
        if (x == null || y == null || x < 0 || y < 0 || x > 1_000_000 || y > 1_000_000) {
            return Optional.empty();
        }
        return Optional.of(new ScreenPoint((int) Math.round(x), (int) Math.round(y)));
    }

    private static OptionalInt boxId(JsonNode node) {
        Double n = number(node);
        if (n == null && node != null && node.isTextual()) {
            Matcher m = Pattern.compile("\\d{1,9}").matcher(node.asText());
            n = m.find() ? Double.parseDouble(m.group()) : null;
        }
        return n == null || n < 0 || n > Integer.MAX_VALUE || n != Math.floor(n) ? OptionalInt.empty() : OptionalInt.of(n.intValue());
    }

    // ---- point shape -------------------------------------------------------------------------------

    private static final Pattern DONE_LINE = Pattern.compile("(?m)^[\\s*_`>#-]*DONE\\b");
    private static final Pattern TYPE_COMMAND = Pattern.compile("(?im)^[\\s*_`>#-]*TYPE\\s*:\\s*(.*?)\\s*$");
    private static final Pattern TYPE_PROSE_QUOTED = Pattern.compile(
            "(?i)\\btype\\s+(?!of\\b)(?:(?:the|in)\\s+(?:\\w+\\s+)?)?(?:\"([^\"\\n]+)\"|'([^'\\n]+)'|\u201c([^\u201d\\n]+)\u201d)");
    private static final Pattern TYPE_PROSE = Pattern.compile("(?i)\\btype\\s+(?!of\\b)([^\\n]+?)\\s*[.!]?\\s*(?:\\n|$)");
    private static final Pattern SCROLL = Pattern.compile("(?i)\\bscroll(?:ing|s)?[\\s_-]*(up|down)\\b");
    private static final Pattern POINT_MARKER = Pattern.compile("(?i)<point\\b");
    private static final Pattern POINT = Pattern.compile(
            "(?i)<point[^>]*>\\s*[(\\[]?\\s*([-+]?\\d{1,7}(?:\\.\\d+)?)\\s*[,\\s]\\s*([-+]?\\d{1,7}(?:\\.\\d+)?)\\s*[)\\]]?\\s*</point>");
    static final Pattern NUMBER_PAIR = Pattern.compile("(?<![\\d.])(\\d{1,7}(?:\\.\\d+)?)\\s*,\\s*(\\d{1,7}(?:\\.\\d+)?)(?!\\d|\\.\\d)");
    private static final int POINT_SCALE = 1000;

    /** A pointing model's answer with unknown screen size: points stay in 0-1000 coordinates. */
    public static PointCommand parsePoint(String text) {
        return parsePoint(text, null);
    }

    /**
     * A pointing model's answer, checked in this order: a {@code DONE} line; {@code TYPE: text}; free
     * text "type X" (only when there is no {@code <point>} marker); scroll up/down; {@code <point>x,y</point>}
     * in 0-1000 coordinates (scaled to {@code screen} pixels when given); the first number pair within
     * 0-1000; else {@link PointCommand.Kind#NONE}.
     */
    public static PointCommand parsePoint(String text, ScreenSize screen) {
        try {
            if (text == null || text.isBlank()) {
                return PointCommand.none("the answer is empty");
            }
            String input = text.length() > MAX_INPUT ? text.substring(0, MAX_INPUT) : text;
            if (DONE_LINE.matcher(input).find() || input.strip().replaceAll("[.!\\s]+$", "").equalsIgnoreCase("done")) {
                return PointCommand.of(PointCommand.Kind.DONE, "DONE");
            }
            Matcher typed = TYPE_COMMAND.matcher(input);
            if (typed.find()) {
                String value = unquote(typed.group(1));
                if (!value.isEmpty()) {
                    return PointCommand.type(value, "TYPE:");
                }
            }
            boolean hasPointMarker = POINT_MARKER.matcher(input).find();
            if (!hasPointMarker) {
                Matcher quoted = TYPE_PROSE_QUOTED.matcher(input);
                Matcher prose = TYPE_PROSE.matcher(input);
                String value = quoted.find() ? firstNonNull(quoted.group(1), quoted.group(2), quoted.group(3))
                        : prose.find() ? unquote(prose.group(1)) : null;
                if (value != null) {
                    value = value.strip();
                    if (!value.isEmpty()) {
                        return PointCommand.type(value, "type in prose");
                    }
                }
            }
            Matcher scroll = SCROLL.matcher(input);
            if (scroll.find()) {
                return PointCommand.of(scroll.group(1).equalsIgnoreCase("up") ? PointCommand.Kind.SCROLL_UP
                        : PointCommand.Kind.SCROLL_DOWN, "scroll keyword");
            }
            if (hasPointMarker) {
                Matcher point = POINT.matcher(input);
                if (point.find()) {
                    double x = Double.parseDouble(point.group(1));
                    double y = Double.parseDouble(point.group(2));
                    if (x < 0 || y < 0 || x > POINT_SCALE || y > POINT_SCALE) {
                        return PointCommand.none("the <point> " + point.group(1) + "," + point.group(2) + " is outside 0-1000");
                    }
                    return click(x, y, screen, "<point>");
                }
            }
            Matcher pairs = NUMBER_PAIR.matcher(input);
            while (pairs.find()) {
                double x = Double.parseDouble(pairs.group(1));
                double y = Double.parseDouble(pairs.group(2));
                if (x <= POINT_SCALE && y <= POINT_SCALE) {
                    return click(x, y, screen, "number pair");
                }
            }
            return PointCommand.none("no point, text, scroll or DONE in the answer: " + excerpt(input));
        } catch (RuntimeException | StackOverflowError e) {
            return PointCommand.none("the answer could not be read: " + e);
        }
    }

    private static PointCommand click(double x, double y, ScreenSize screen, String rule) {
        if (screen == null) {
            return PointCommand.click(new ScreenPoint((int) Math.round(x), (int) Math.round(y)), false, rule);
        }
        int px = (int) Math.min(screen.width() - 1, Math.round(x * screen.width() / POINT_SCALE));
        int py = (int) Math.min(screen.height() - 1, Math.round(y * screen.height() / POINT_SCALE));
        return PointCommand.click(new ScreenPoint(px, py), true, rule);
    }

    // ---- box shape ---------------------------------------------------------------------------------

    private static final String NUM = "([-+]?\\d{1,7}(?:\\.\\d+)?|[-+]?\\.\\d+)";
    private static final String FOUR = "\\s*" + NUM + "\\s*,\\s*" + NUM + "\\s*,\\s*" + NUM + "\\s*,\\s*" + NUM + "\\s*";
    /** Qwen2.5-VL / Qwen3-VL {@code "bbox_2d": [x1, y1, x2, y2]} (also bbox, box); Gemini's y-first {@code box_2d}. */
    private static final Pattern JSON_BOX = Pattern.compile(
            "(?i)[\"']?(bbox_2d|bbox|box_2d|box)[\"']?\\s*:\\s*\\[" + FOUR + "\\]");
    /** Qwen-VL {@code <box>(x1,y1),(x2,y2)</box>} and {@code <|box_start|>...<|box_end|>}, CogVLM {@code <box>[[x1,y1,x2,y2]]</box>}. */
    private static final Pattern TAG_BOX = Pattern.compile(
            "(?i)<\\|?box(?:_start\\|)?>\\s*[(\\[]*\\s*" + NUM + "\\s*,\\s*" + NUM + "\\s*[)\\]]*\\s*,?\\s*[(\\[]*\\s*"
                    + NUM + "\\s*,\\s*" + NUM + "\\s*[)\\]]*\\s*<\\|?/?box(?:_end\\|)?>");
    /** Four numbers in brackets in prose: {@code [x1, y1, x2, y2]} or {@code (x1, y1, x2, y2)}. */
    private static final Pattern PROSE_BOX = Pattern.compile("[\\[(]" + FOUR + "[\\])]");
    private static final Pattern LABEL = Pattern.compile("(?i)[\"']?label[\"']?\\s*:\\s*[\"']([^\"'\\n]{1,120})[\"']");
    /** A model's box may overshoot the edge a little (1025 on a 1024 image): within this share it is clamped. */
    private static final double EDGE_SLACK = 0.02;
    /** Narrower or lower than this share of the frame is a point or a typo, not a box. */
    private static final double MIN_SIDE = 0.002;

    /** {@link #parseBox(String, ScreenSize, BoxUnits)} with {@link BoxUnits#AUTO}. */
    public static ParsedBox parseBox(String text, ScreenSize sent) {
        return parseBox(text, sent, BoxUnits.AUTO);
    }

    /**
     * The first bounding box in a model's answer, in 0-1 of the frame. Shapes, in this order: JSON
     * {@code "bbox_2d": [x1, y1, x2, y2]} (also {@code bbox}, {@code box}; {@code box_2d} is Gemini's
     * {@code [y1, x1, y2, x2]} in 0-1000) with its {@code label}; {@code <box>(x1,y1),(x2,y2)</box>} tags; four
     * bracketed numbers in prose. {@code sent} is the size of the image as the model was shown it (pixel
     * boxes need it). With {@link BoxUnits#AUTO}: all four numbers within 0-1 are fractions; tags and
     * {@code box_2d} are 0-1000; a number beyond the sent image's width or height (but within 1000) means
     * 0-1000; otherwise pixels (Qwen2.5-VL's convention). Reversed corners, boxes without area and boxes
     * beyond the image are refused with the reason.
     */
    public static ParsedBox parseBox(String text, ScreenSize sent, BoxUnits units) {
        try {
            if (text == null || text.isBlank()) {
                return ParsedBox.none("the answer is empty");
            }
            String input = text.length() > MAX_INPUT ? text.substring(0, MAX_INPUT) : text;
            BoxUnits wanted = units == null ? BoxUnits.AUTO : units;
            Matcher json = JSON_BOX.matcher(input);
            if (json.find()) {
                boolean yFirst = json.group(1).equalsIgnoreCase("box_2d");
                double[] v = numbers(json, 2);
                double[] corners = yFirst ? new double[] {v[1], v[0], v[3], v[2]} : v;
                return box(corners, sent, yFirst && wanted == BoxUnits.AUTO ? BoxUnits.PER_MILLE : wanted,
                        label(input, json.start(), json.end()), "JSON " + json.group(1));
            }
            Matcher tag = TAG_BOX.matcher(input);
            if (tag.find()) {
                return box(numbers(tag, 1), sent, wanted == BoxUnits.AUTO ? BoxUnits.PER_MILLE : wanted, Optional.empty(), "<box> tag");
            }
            Matcher prose = PROSE_BOX.matcher(input);
            if (prose.find()) {
                return box(numbers(prose, 1), sent, wanted, Optional.empty(), "four numbers in brackets");
            }
            return ParsedBox.none("no bounding box in the answer: " + excerpt(input));
        } catch (RuntimeException | StackOverflowError e) {
            return ParsedBox.none("the answer could not be read: " + e);
        }
    }

    private static double[] numbers(Matcher m, int first) {
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            v[i] = Double.parseDouble(m.group(first + i));
        }
        return v;
    }

    /** The label written in the same JSON object as the box. */
    private static Optional<String> label(String input, int start, int end) {
        int open = input.lastIndexOf('{', start);
        int close = input.indexOf('}', end);
        String object = input.substring(open < 0 ? start : open, close < 0 ? input.length() : close + 1);
        Matcher m = LABEL.matcher(object);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static ParsedBox box(double[] v, ScreenSize sent, BoxUnits units, Optional<String> label, String shape) {
        String written = String.format(Locale.ROOT, "[%s, %s, %s, %s]", plain(v[0]), plain(v[1]), plain(v[2]), plain(v[3]));
        for (double n : v) {
            if (n < 0) {
                return ParsedBox.none("the box " + written + " (" + shape + ") has a negative coordinate");
            }
        }
        if (v[2] <= v[0] || v[3] <= v[1]) {
            return ParsedBox.none("the box " + written + " (" + shape + ") has no area or reversed corners "
                    + "(x2 <= x1 or y2 <= y1; an x, y, width, height box is not read as corners)");
        }
        BoxUnits resolved = units;
        if (resolved == BoxUnits.AUTO) {
            if (v[2] <= 1 && v[3] <= 1) {
                resolved = BoxUnits.FRACTION;
            } else if (sent == null || v[2] > sent.width() * (1 + EDGE_SLACK) || v[3] > sent.height() * (1 + EDGE_SLACK)) {
                resolved = BoxUnits.PER_MILLE;
            } else {
                resolved = BoxUnits.PIXELS;
            }
        }
        double sx;
        double sy;
        String scale;
        switch (resolved) {
            case FRACTION -> { sx = 1; sy = 1; scale = "0-1"; }
            case PER_MILLE -> { sx = 1000; sy = 1000; scale = "0-1000"; }
            default -> {
                if (sent == null) {
                    return ParsedBox.none("the box " + written + " is in pixels but the size of the image sent is unknown");
                }
                sx = sent.width();
                sy = sent.height();
                scale = "pixels of the " + sent.width() + "x" + sent.height() + " image sent";
            }
        }
        double x1 = v[0] / sx;
        double y1 = v[1] / sy;
        double x2 = v[2] / sx;
        double y2 = v[3] / sy;
        if (x2 > 1 + EDGE_SLACK || y2 > 1 + EDGE_SLACK) {
            return ParsedBox.none("the box " + written + " (" + shape + ", " + scale + ") reaches beyond the image");
        }
        x2 = Math.min(1, x2);
        y2 = Math.min(1, y2);
        if (x2 - x1 < MIN_SIDE || y2 - y1 < MIN_SIDE) {
            return ParsedBox.none("the box " + written + " (" + shape + ", " + scale + ") is degenerate: thinner than "
                    + MIN_SIDE + " of the image");
        }
        return ParsedBox.of(new FrameBox(x1, y1, x2 - x1, y2 - y1, label), shape + " " + written + " in " + scale);
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e9 ? Long.toString((long) d) : Double.toString(d);
    }

    // ---- watch-job shape ---------------------------------------------------------------------------

    private static final Pattern CONDITION = Pattern.compile("(?i)[\"']?condition_met[\"']?\\s*[:=]\\s*[\"']?(true|false|yes|no)\\b");
    private static final Pattern NEXT_RUN = Pattern.compile("(?i)[\"']?next_run_in[\"']?\\s*[:=]\\s*[\"']?(-?\\d{1,9}(?:\\.\\d+)?)");
    private static final Pattern TEXT_FIELD = Pattern.compile("(?s)[\"']?%s[\"']?\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"?");

    /** A watch job's verdict; {@code next_run_in} defaults to 60 s when the model leaves it out. */
    public static WatchVerdict parseWatchVerdict(String text) {
        return parseWatchVerdict(text, DEFAULT_NEXT_RUN_IN);
    }

    /**
     * A watch job's verdict: {@code condition_met} (boolean, or "true"/"yes"/1), {@code next_run_in}
     * seconds clamped to 1..300 ({@code defaultNextRunIn} when absent), {@code reasoning},
     * {@code notification_message}. Without a readable {@code condition_met} the verdict is not parsed and
     * the condition counts as not met. A truncated answer whose fields can still be read is recovered,
     * with a note in {@code error}.
     */
    public static WatchVerdict parseWatchVerdict(String text, int defaultNextRunIn) {
        int fallbackNextRun = WatchVerdict.clampNextRunIn(defaultNextRunIn);
        try {
            if (text == null || text.isBlank()) {
                return WatchVerdict.unparseable("the answer is empty", fallbackNextRun);
            }
            ObjectNode json = extractJson(text);
            if (json != null) {
                JsonNode condition = field(json, "condition_met", "conditionmet", "condition met", "met");
                Boolean met = bool(condition);
                if (met == null) {
                    return WatchVerdict.unparseable(condition == null ? "the JSON has no condition_met: " + excerpt(json.toString())
                            : "condition_met is not a boolean: " + excerpt(condition.toString()), fallbackNextRun);
                }
                Double next = number(field(json, "next_run_in", "nextrunin", "next run in"));
                int nextRunIn = next == null || next.isNaN() ? fallbackNextRun : WatchVerdict.clampNextRunIn(Math.round(next));
                return new WatchVerdict(met, nextRunIn,
                        Optional.ofNullable(scalar(field(json, "reasoning", "reason"))).orElse(""),
                        Optional.ofNullable(scalar(field(json, "notification_message", "notificationmessage", "notification", "message")))
                                .orElse(""),
                        true, "");
            }
            String input = text.length() > MAX_INPUT ? text.substring(0, MAX_INPUT) : text;
            Matcher condition = CONDITION.matcher(input);
            if (!condition.find()) {
                return WatchVerdict.unparseable("no JSON verdict in the answer: " + excerpt(input), fallbackNextRun);
            }
            boolean met = condition.group(1).equalsIgnoreCase("true") || condition.group(1).equalsIgnoreCase("yes");
            Matcher next = NEXT_RUN.matcher(input);
            int nextRunIn = next.find() ? WatchVerdict.clampNextRunIn(Math.round(Double.parseDouble(next.group(1)))) : fallbackNextRun;
            return new WatchVerdict(met, nextRunIn, textField(input, "reasoning"), textField(input, "notification_message"), true,
                    "recovered from malformed JSON");
        } catch (RuntimeException | StackOverflowError e) {
            return WatchVerdict.unparseable("the answer could not be read: " + e, fallbackNextRun);
        }
    }

    private static String textField(String input, String name) {
        Matcher m = Pattern.compile(String.format(TEXT_FIELD.pattern(), Pattern.quote(name)), Pattern.DOTALL).matcher(input);
        if (!m.find()) {
            return "";
        }
        return m.group(1).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** A field by any of the given names, compared ignoring case, spaces, '_' and '-'. */
    private static JsonNode field(ObjectNode json, String... names) {
        for (String name : names) {
            JsonNode exact = json.get(name);
            if (exact != null) {
                return exact;
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = squash(entry.getKey());
            for (String name : names) {
                if (key.equals(squash(name))) {
                    return entry.getValue();
                }
            }
        }
        return null;
    }

    private static String squash(String key) {
        return key.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]+", "");
    }

    /** Text of a scalar (numbers and booleans as written); null for absent, null or structured values. */
    private static String scalar(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        return node.asText();
    }

    private static Double number(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isNumber()) {
            double d = node.asDouble();
            return Double.isFinite(d) ? d : null;
        }
        if (node.isTextual()) {
            try {
                double d = Double.parseDouble(node.asText().strip());
                return Double.isFinite(d) ? d : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Boolean bool(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isNumber()) {
            return node.asDouble() != 0;
        }
        if (node.isTextual()) {
            return switch (node.asText().strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "met" -> true;
                case "false", "no", "0", "not met" -> false;
                default -> null;
            };
        }
        return null;
    }

    private static String unquote(String value) {
        String v = value == null ? "" : value.strip();
        if (v.length() >= 2 && ((v.startsWith("\"") && v.endsWith("\"")) || (v.startsWith("'") && v.endsWith("'"))
                || (v.startsWith("\u201c") && v.endsWith("\u201d")) || (v.startsWith("`") && v.endsWith("`")))) {
            v = v.substring(1, v.length() - 1).strip();
        }
        return v;
    }

    private static String firstNonNull(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return "";
    }

    private static String excerpt(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 120) + "…";
    }
}
