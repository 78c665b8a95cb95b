package io.sightline.watch;

import io.sightline.common.vlm.ChatMessage;
import io.sightline.common.vlm.ContentPart;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WatchConversationTest {

    private static ChatMessage frame(int i) {
        return ChatMessage.user("Frame captured at 12:00:" + String.format("%02d", i) + ".", new ContentPart.Image("image/jpeg", new byte[] {1}));
    }

    @Test
    void keepsTheSystemPromptAndTheLastTenPairs() {
        WatchConversation conversation = new WatchConversation("watch the porch", 10);
        for (int i = 0; i < 15; i++) {
            conversation.ask(frame(i));
            conversation.answered("{\"condition_met\":false,\"next_run_in\":5}");
        }
        List<ChatMessage> sent = conversation.ask(frame(15));

        assertThat(sent).hasSize(1 + 2 * 10 + 1);
        assertThat(sent.get(0).role()).isEqualTo(ChatMessage.SYSTEM);
        assertThat(sent.get(0).text()).isEqualTo("watch the porch");
        assertThat(sent.get(1).text()).as("oldest kept frame").endsWith(":05.");
        assertThat(sent.get(2).role()).isEqualTo(ChatMessage.ASSISTANT);
        assertThat(sent.get(sent.size() - 1).text()).endsWith(":15.");
        assertThat(sent.stream().filter(ChatMessage::hasImage).count()).isEqualTo(11);
    }

    @Test
    void droppedTurnLeavesNoDanglingUserMessage() {
        WatchConversation conversation = new WatchConversation("sys", 10);
        conversation.ask(frame(1));
        conversation.answered("{}");
        conversation.ask(frame(2));
        conversation.dropPending();
        List<ChatMessage> sent = conversation.ask(frame(3));

        assertThat(sent).extracting(ChatMessage::role)
                .containsExactly(ChatMessage.SYSTEM, ChatMessage.USER, ChatMessage.ASSISTANT, ChatMessage.USER);
        assertThat(sent.get(3).text()).endsWith(":03.");
        assertThat(conversation.pairs()).isEqualTo(1);
    }
}
