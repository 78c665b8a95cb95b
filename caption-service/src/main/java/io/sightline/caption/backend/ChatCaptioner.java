package io.sightline.caption.backend;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.vlm.ChatMessage;
import io.sightline.common.vlm.ChatRequest;
import io.sightline.common.vlm.ContentPart;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.time.Duration;
import java.util.List;

/** Captions a frame through an OpenAI-compatible chat endpoint: downscaled JPEG as a data URI plus the prompt. */
final class ChatCaptioner {

    record Settings(String model, int maxTokens, double temperature, Duration timeout, int width, int height, int jpegQuality) {
    }

    private ChatCaptioner() {
    }

    static Uni<FrameDescription> describe(String tier, VlmClient client, FrameImages images, CapturedFrame frame,
                                          String prompt, Settings settings) {
        return Uni.createFrom().item(() -> images.downscaledJpeg(frame, settings.width(), settings.height(), settings.jpegQuality()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(jpeg -> {
                    ChatRequest request = new ChatRequest(settings.model(),
                            List.of(ChatMessage.user(prompt, new ContentPart.Image(CapturedFrame.JPEG, jpeg))),
                            settings.maxTokens(), settings.temperature(), settings.timeout());
                    return client.chat(request, Priority.BATCH);
                })
                .map(result -> {
                    String text = result.content() == null ? "" : result.content().trim();
                    if (text.isEmpty()) {
                        throw new BackendFailure(tier, true, "answered with an empty caption", null);
                    }
                    return FrameDescription.text(text, result.model() == null ? settings.model() : result.model());
                })
                .onFailure(VlmException.class).transform(e -> {
                    VlmException vlm = (VlmException) e;
                    return new BackendFailure(tier, vlm.isServerFault(), vlm.kind() + ": " + vlm.getMessage(), vlm);
                });
    }
}
