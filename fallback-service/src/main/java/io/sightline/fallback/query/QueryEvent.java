package io.sightline.fallback.query;

/** What a streamed query emits: the VLM's text as it is generated, then the one final answer. */
public sealed interface QueryEvent {

    /** A piece of the answer's text; the pieces in order make the final answer's text. */
    record Token(String text) implements QueryEvent {
    }

    /** The answer, exactly as the non-streaming route returns it (an error answer included). */
    record Answered(QueryAnswer answer) implements QueryEvent {
    }
}
