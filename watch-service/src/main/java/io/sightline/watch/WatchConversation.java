package io.sightline.watch;

import io.sightline.common.vlm.ChatMessage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A job's chat with the model: the system prompt plus the last N frame/answer pairs, and at most one
 * frame still waiting for its answer. Not thread-safe; the job's loop is its only user.
 */
final class WatchConversation {

    private final ChatMessage system;
    private final int keepPairs;
    private final Deque<ChatMessage[]> pairs = new ArrayDeque<>();
    private ChatMessage pending;

    WatchConversation(String systemPrompt, int keepPairs) {
        this.system = ChatMessage.system(systemPrompt);
        this.keepPairs = keepPairs;
    }

    /** Adds the frame's user turn; returns the messages to send (system, history, this turn). */
    List<ChatMessage> ask(ChatMessage userTurn) {
        pending = userTurn;
        List<ChatMessage> messages = new ArrayList<>(2 + pairs.size() * 2);
        messages.add(system);
        for (ChatMessage[] pair : pairs) {
            messages.add(pair[0]);
            messages.add(pair[1]);
        }
        messages.add(userTurn);
        return messages;
    }

    /** Keeps the pending turn with its answer, forgetting the oldest pair past the limit. */
    void answered(String assistantText) {
        if (pending == null) {
            return;
        }
        pairs.addLast(new ChatMessage[] {pending, ChatMessage.assistant(assistantText)});
        pending = null;
        while (pairs.size() > keepPairs) {
            pairs.removeFirst();
        }
    }

    /** Drops the pending (unanswered or unusably answered) user turn. */
    void dropPending() {
        pending = null;
    }

    int pairs() {
        return pairs.size();
    }
}
