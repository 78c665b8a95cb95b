package io.sightline.watch;

import io.sightline.common.vlm.ChatMessage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A job's chat with the model: the system prompt plus the last N frame/answer pairs, and at most one
 * frame still waiting for its answer. The pairs are also kept as {@link WatchExchange}s, which the job
 * persists: a job resumed on another replica (or after a restart) continues the same conversation, its
 * earlier frames as text only ("the image is not available any more"). Not thread-safe; the job's loop
 * is its only user.
 */
final class WatchConversation {

    static final String RESTORED_NOTE = " (earlier frame; its image is not available any more)";

    private record Pair(ChatMessage user, ChatMessage assistant, WatchExchange exchange) {
    }

    private final ChatMessage system;
    private final int keepPairs;
    private final Deque<Pair> pairs = new ArrayDeque<>();
    private ChatMessage pending;
    private WatchExchange pendingExchange;

    WatchConversation(String systemPrompt, int keepPairs) {
        this(systemPrompt, keepPairs, List.of());
    }

    /** A conversation continued from persisted exchanges (oldest first). */
    WatchConversation(String systemPrompt, int keepPairs, List<WatchExchange> restored) {
        this.system = ChatMessage.system(systemPrompt);
        this.keepPairs = keepPairs;
        for (WatchExchange e : restored) {
            if (e == null || e.question() == null || e.answer() == null) {
                continue;
            }
            pairs.addLast(new Pair(ChatMessage.user(e.question() + RESTORED_NOTE), ChatMessage.assistant(e.answer()), e));
        }
        trim();
    }

    /** Adds the frame's user turn; returns the messages to send (system, history, this turn). */
    List<ChatMessage> ask(ChatMessage userTurn) {
        return ask(userTurn, null);
    }

    List<ChatMessage> ask(ChatMessage userTurn, WatchExchange asked) {
        pending = userTurn;
        pendingExchange = asked;
        List<ChatMessage> messages = new ArrayList<>(2 + pairs.size() * 2);
        messages.add(system);
        for (Pair pair : pairs) {
            messages.add(pair.user());
            messages.add(pair.assistant());
        }
        messages.add(userTurn);
        return messages;
    }

    /** Keeps the pending turn with its answer, forgetting the oldest pair past the limit. */
    void answered(String assistantText) {
        if (pending == null) {
            return;
        }
        WatchExchange exchange = pendingExchange == null ? null
                : new WatchExchange(pendingExchange.frameId(), pendingExchange.capturedAt(), pendingExchange.question(), assistantText);
        pairs.addLast(new Pair(pending, ChatMessage.assistant(assistantText), exchange));
        pending = null;
        pendingExchange = null;
        trim();
    }

    /** Drops the pending (unanswered or unusably answered) user turn. */
    void dropPending() {
        pending = null;
        pendingExchange = null;
    }

    int pairs() {
        return pairs.size();
    }

    /** The pairs as persisted, oldest first. */
    List<WatchExchange> exchanges() {
        return pairs.stream().map(Pair::exchange).filter(java.util.Objects::nonNull).toList();
    }

    private void trim() {
        while (pairs.size() > keepPairs) {
            pairs.removeFirst();
        }
    }
}
