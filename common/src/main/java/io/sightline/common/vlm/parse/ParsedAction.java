package io.sightline.common.vlm.parse;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model's next UI action ({@code Next Action}, {@code Status}, {@code Reasoning}, {@code value},
 * {@code coordinate}, {@code Box ID}, optional {@code UI_Elements}), normalised. When the answer could not
 * be read, {@link #parsed()} is false, the action is {@value #NONE} with status {@value #DONE} (the safe
 * choice: do nothing, stop) and {@link #failure()} says why.
 *
 * @param action     lower-case snake_case verb ({@code left_click}, {@code type}, {@code scroll_down}, …) or {@value #NONE}
 * @param status     {@value #IN_PROGRESS} or {@value #DONE}
 * @param reasoning  the model's reasoning, "" when absent
 * @param value      text to type (or other argument) when given
 * @param coordinate target point when given (as the model wrote it)
 * @param boxId      id of the detected UI box the action targets when given
 * @param uiElements the model's {@code UI_Elements} entries, empty when absent
 * @param parsed     whether the answer was read
 * @param failure    why it was not read, "" when it was
 */
public record ParsedAction(
        String action,
        String status,
        String reasoning,
        Optional<String> value,
        Optional<ScreenPoint> coordinate,
        OptionalInt boxId,
        List<JsonNode> uiElements,
        boolean parsed,
        String failure) {

    public static final String NONE = "none";
    public static final String DONE = "DONE";
    public static final String IN_PROGRESS = "IN_PROGRESS";

    public ParsedAction {
        uiElements = List.copyOf(uiElements);
    }

    /** The safe result for an answer that could not be read. */
    public static ParsedAction unparseable(String reason) {
        return new ParsedAction(NONE, DONE, "", Optional.empty(), Optional.empty(), OptionalInt.empty(), List.of(), false, reason);
    }

    public boolean isDone() {
        return DONE.equals(status);
    }

    public boolean hasAction() {
        return !NONE.equals(action);
    }
}
