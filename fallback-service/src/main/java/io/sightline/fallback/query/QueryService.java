package io.sightline.fallback.query;

import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.vlm.ChatResult;
import io.sightline.common.vlm.VlmException;
import io.sightline.latest.CameraView;
import io.sightline.latest.LatestFrameCache;
import io.sightline.fallback.classify.Classification;
import io.sightline.fallback.classify.QueryClassifier;
import io.sightline.fallback.classify.QueryIntent;
import io.sightline.fallback.config.FallbackConfig;
import io.sightline.fallback.vlm.Grounding;
import io.sightline.fallback.vlm.QueryVlm;
import io.sightline.common.vlm.parse.BoxUnits;
import io.sightline.common.vlm.parse.ScreenSize;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Decides how to answer a question about a camera. With confidence at or above the threshold and an
 * intent the pipeline's latest state can answer, it answers at once from the latest caption and
 * detections. Otherwise it asks the VLM: with the camera's latest frame attached when one is cached
 * (and allowed), text-only when not, saying why. A VLM that fails, hangs or talks nonsense gives an
 * error answer with the reason, never a made-up one.
 */
@ApplicationScoped
public class QueryService {

    private final LatestFrameCache cache;
    private final QueryClassifier classifier;
    private final QueryVlm vlm;
    private final QueryStats stats;
    private final HistoryAnswers history;
    private final TemplateAnswers templates;
    private final EvidenceClock clock;
    private final double threshold;
    private final BoxUnits boxUnits;

    QueryService(FallbackConfig config, LatestFrameCache cache, QueryClassifier classifier, QueryVlm vlm, QueryStats stats,
                 HistoryAnswers history) {
        this.cache = cache;
        this.history = history;
        this.classifier = classifier;
        this.vlm = vlm;
        this.stats = stats;
        this.threshold = config.confidenceThreshold();
        this.clock = new EvidenceClock(config.timeZone().filter(z -> !z.isBlank()).map(ZoneId::of).orElse(ZoneId.systemDefault()));
        this.boxUnits = Grounding.units(config.vlm().boxUnits());
        this.templates = new TemplateAnswers(clock, config.stateMaxAge().toMillis(), cache.frameTtlMs());
    }

    /**
     * Classifies (blocking ONNX inference: call on a worker thread), then answers. Fails with
     * {@link UnknownCameraException} when the camera has never been seen; every other outcome,
     * VLM failures included, is a {@link QueryAnswer}.
     */
    @WithSpan("fallback.query")
    public Uni<QueryAnswer> answer(@SpanAttribute("camera") String camera, String query, Double callerConfidence,
                                   boolean includeImage) {
        long start = System.nanoTime();
        Optional<CameraView> found = cache.view(camera);
        if (found.isEmpty()) {
            return Uni.createFrom().failure(unknown(camera));
        }
        return decide(found.get(), query, callerConfidence, includeImage, start, null).invoke(stats::record);
    }

    /**
     * The same decision, streamed: when the VLM answers, its text as it is generated ({@link QueryEvent.Token}s
     * that add up to the answer's text), then the answer ({@link QueryEvent.Answered}, also for template, history
     * and error answers, which come alone). Classifies on the calling thread (blocking: call on a worker);
     * throws {@link UnknownCameraException} at once for a camera never seen. Cancelling the stream cancels the
     * VLM call.
     */
    @WithSpan("fallback.query.stream")
    public Multi<QueryEvent> stream(@SpanAttribute("camera") String camera, String query, Double callerConfidence,
                                    boolean includeImage) {
        long start = System.nanoTime();
        CameraView view = cache.view(camera).orElseThrow(() -> unknown(camera));
        AtomicReference<MultiEmitter<? super QueryEvent>> out = new AtomicReference<>();
        // the VLM call starts only on subscription, after the emitter is set: no piece can miss it
        Uni<QueryAnswer> answer = decide(view, query, callerConfidence, includeImage, start,
                text -> out.get().emit(new QueryEvent.Token(text))).invoke(stats::record);
        return Multi.createFrom().emitter(emitter -> {
            out.set(emitter);
            Cancellable call = answer.subscribe().with(a -> {
                emitter.emit(new QueryEvent.Answered(a));
                emitter.complete();
            }, emitter::fail);
            emitter.onTermination(call::cancel);
        });
    }

    private UnknownCameraException unknown(String camera) {
        stats.recordRejected();
        return new UnknownCameraException(camera, "camera '" + camera + "' is unknown: no frame, caption or detections of it have been seen");
    }

    /** {@code tokens}: where the VLM's text goes as it is generated; null = not streamed. */
    private Uni<QueryAnswer> decide(CameraView view, String query, Double callerConfidence, boolean includeImage, long start,
                                    Consumer<String> tokens) {
        String camera = view.camera();
        Classification classification = classifier.classify(query);
        QueryIntent intent = classification.intent();
        double confidence = callerConfidence != null ? callerConfidence : classification.confidence();
        String confidenceText = String.format(Locale.ROOT, "confidence %.2f (%s) %s %.2f", confidence,
                callerConfidence != null ? "given by the caller" : "classifier, " + intent.wireName(),
                confidence >= threshold ? ">=" : "<", threshold);
        long now = System.currentTimeMillis();
        Decision decision = new Decision(camera, intent, confidence, start);

        String vlmBecause;
        String historyNote = "";
        if (confidence >= threshold && history.configured()) {
            ZonedDateTime zonedNow = ZonedDateTime.now(clock.zone());
            Optional<QueryIntent> pastIntent = HistoryAnswers.historyIntent(intent, query, TimePhrases.parse(query, zonedNow));
            if (pastIntent.isPresent()) {
                Decision past = new Decision(camera, pastIntent.get(), confidence, start);
                String because = confidenceText + " and " + pastIntent.get().wireName() + " is a question about the past";
                HistoryAnswers.Outcome outcome = history.answer(pastIntent.get(), camera, query, zonedNow);
                if (outcome instanceof HistoryAnswers.Answered a) {
                    return Uni.createFrom().item(past.history(a.text(), a.evidence(), because + ", answered from " + a.basis()));
                }
                if (outcome instanceof HistoryAnswers.Events events) {
                    return summarise(past, camera, query, events, because, tokens);
                }
                historyNote = "; history could not answer: " + ((HistoryAnswers.NotAnswered) outcome).reason();
            }
        }
        if (confidence >= threshold) {
            if (intent.answerableFromState()) {
                StateAnswer state = templates.answer(intent, query, view, now);
                if (state instanceof StateAnswer.Answered a) {
                    return Uni.createFrom().item(decision.template(a, confidenceText + " and " + intent.wireName()
                            + " is answered from " + a.basis() + ageSuffix(a.evidence())));
                }
                vlmBecause = confidenceText + " but " + ((StateAnswer.Unanswerable) state).reason() + historyNote;
            } else {
                vlmBecause = confidenceText + " but " + intent.wireName() + " is not answerable from the latest caption and detections"
                        + historyNote;
            }
        } else {
            vlmBecause = confidenceText;
        }

        if (!vlm.configured()) {
            if (intent.answerableFromState() && templates.answer(intent, query, view, now) instanceof StateAnswer.Answered a) {
                return Uni.createFrom().item(decision.template(a, vlmBecause + "; no VLM is configured, so answered from "
                        + a.basis() + ageSuffix(a.evidence())));
            }
            return Uni.createFrom().item(decision.error(new QueryAnswer.Failure(503, "vlm_not_configured",
                    "no VLM is configured (set SIGHTLINE_VLM_SERVICE_URL to vlm-service)", Optional.empty()), vlmBecause + "; no VLM is configured"));
        }

        String noImage = noImageReason(view, includeImage, vlm.imageFallback(), cache.frameTtlMs(), now);
        if (noImage == null) {
            CapturedFrame frame = view.frame().orElseThrow();
            FrameRef ref = new FrameRef(frame.frameId().toString(), frame.capturedAt(), Math.max(0, now - frame.capturedAt()));
            String reason = vlmBecause + ": asked the VLM with the latest frame of " + camera + " (" + EvidenceClock.age(ref.ageMs()) + " old)";
            ScreenSize sent = new ScreenSize(frame.width(), frame.height());
            return vlm.askWithFrame(camera, query, frame, clock.zone(), now, tokens == null ? null : new TokenTrim(tokens))
                    .map(result -> {
                        String text = result.content().strip();
                        return decision.vlm(ResponseMode.VLM_IMAGE, text, ref, result, reason,
                                Grounding.locate(query, text, sent, boxUnits));
                    })
                    .onFailure(VlmException.class).recoverWithItem(e -> decision.error(failure((VlmException) e), reason
                            + "; the VLM failed: " + e.getMessage()));
        }
        String reason = vlmBecause + ": asked the VLM without an image because " + noImage;
        String preface = "Without a current image of " + camera + " (" + noImage + "): ";
        return vlm.askWithoutFrame(camera, query, noImage, observations(view, now), tokens == null ? null : prefaced(preface, tokens))
                .map(result -> decision.vlm(ResponseMode.VLM_TEXT, preface + result.content().strip(), null, result, reason,
                        Optional.empty()))
                .onFailure(VlmException.class).recoverWithItem(e -> decision.error(failure((VlmException) e), reason
                        + "; the VLM failed: " + e.getMessage()));
    }

    /**
     * "What happened": the VLM (text only) summarises the period's events and cites them by id; without
     * a VLM the events themselves are the answer.
     */
    private Uni<QueryAnswer> summarise(Decision past, String camera, String query, HistoryAnswers.Events events, String because,
                                       Consumer<String> tokens) {
        String basis = because + ", from " + events.basis();
        if (!vlm.configured()) {
            return Uni.createFrom().item(past.history(events.count() + " event(s) were recorded on " + camera + ":\n" + events.listing(),
                    events.evidence(), basis + "; no VLM is configured, so the events are listed, not summarised"));
        }
        String instruction = "the question is about the past; these are the events history-service recorded (oldest first). "
                + "Summarise them in two or three sentences and cite each event you mention by its #id";
        String reason = basis + ": asked the VLM (text only) to summarise the " + events.count() + " event(s)";
        return vlm.askWithoutFrame(camera, query, instruction, events.listing(), tokens == null ? null : new TokenTrim(tokens))
                .map(result -> past.vlm(ResponseMode.VLM_TEXT, result.content().strip(), events.evidence(), result, reason,
                        Optional.empty()))
                .onFailure(VlmException.class).recoverWithItem(e -> past.error(failure((VlmException) e), reason
                        + "; the VLM failed: " + e.getMessage()));
    }

    /** The preface goes out with the first visible piece of the VLM's text, so the pieces add up to the answer. */
    private static Consumer<String> prefaced(String preface, Consumer<String> tokens) {
        boolean[] sent = {false};
        return new TokenTrim(piece -> {
            if (!sent[0]) {
                sent[0] = true;
                tokens.accept(preface);
            }
            tokens.accept(piece);
        });
    }

    /** Why the VLM gets no image, or null when the latest frame is attached. */
    static String noImageReason(CameraView view, boolean includeImage, boolean imageFallback, long frameTtlMs, long now) {
        if (!imageFallback) {
            return "image fallback is disabled by configuration";
        }
        if (!includeImage) {
            return "the caller asked for no image (include_image=false)";
        }
        if (view.frame().isPresent()) {
            return null;
        }
        if (view.lastFrameCapturedAt().isPresent()) {
            return "the last frame of " + view.camera() + " is " + EvidenceClock.age(now - view.lastFrameCapturedAt().getAsLong())
                    + " old, older than the " + EvidenceClock.age(frameTtlMs) + " frame TTL";
        }
        return "no frame of " + view.camera() + " has been received";
    }

    private String observations(CameraView view, long now) {
        List<String> parts = new ArrayList<>();
        view.caption().filter(c -> c.text() != null && !c.text().isBlank()).ifPresent(c -> parts.add(
                "caption " + clock.asOf(c.capturedAt(), now) + ": \"" + c.text().strip() + "\""));
        view.detections().ifPresent(d -> {
            List<String> labels = d.detections().stream().map(DetectionsProduced.Detection::label).toList();
            List<String> texts = d.texts().stream().map(DetectionsProduced.RecognizedText::text).toList();
            parts.add("detections " + clock.asOf(d.capturedAt(), now) + ": "
                    + (labels.isEmpty() ? "no objects" : String.join(", ", labels))
                    + (texts.isEmpty() ? "" : "; text read: " + String.join(" | ", texts)));
        });
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    private static String ageSuffix(FrameRef evidence) {
        return evidence == null ? "" : " (" + EvidenceClock.age(evidence.ageMs()) + " old)";
    }

    static QueryAnswer.Failure failure(VlmException e) {
        return switch (e.kind()) {
            case TIMEOUT -> new QueryAnswer.Failure(504, "vlm_timeout", e.getMessage(), Optional.empty());
            case OVERLOADED -> new QueryAnswer.Failure(503, "vlm_overloaded", e.getMessage(), e.retryAfter());
            case UNAVAILABLE -> new QueryAnswer.Failure(502, "vlm_unavailable", e.getMessage(), Optional.empty());
            case SERVER_ERROR -> new QueryAnswer.Failure(502, "vlm_server_error", e.getMessage(), Optional.empty());
            case BAD_RESPONSE -> new QueryAnswer.Failure(502, "vlm_bad_response", e.getMessage(), Optional.empty());
            case REJECTED -> new QueryAnswer.Failure(502, "vlm_rejected", e.getMessage(), Optional.empty());
        };
    }

    /** The facts of one query, shared by every way of finishing it. */
    private final class Decision {
        private final String camera;
        private final QueryIntent intent;
        private final double confidence;
        private final long start;

        Decision(String camera, QueryIntent intent, double confidence, long start) {
            this.camera = camera;
            this.intent = intent;
            this.confidence = confidence;
            this.start = start;
        }

        QueryAnswer template(StateAnswer.Answered a, String reason) {
            Log.debugf("Query on %s answered from state: %s", camera, reason);
            return new QueryAnswer(a.text(), intent, ResponseMode.TEMPLATE, confidence, reason, a.evidence(),
                    "state", elapsedMs(), Optional.empty(), Optional.empty());
        }

        QueryAnswer history(String text, FrameRef evidence, String reason) {
            Log.debugf("Query on %s answered from history: %s", camera, reason);
            return new QueryAnswer(text, intent, ResponseMode.TEMPLATE, confidence, reason, evidence, "history", elapsedMs(),
                    Optional.empty(), Optional.empty());
        }

        QueryAnswer vlm(ResponseMode mode, String text, FrameRef frame, ChatResult result, String reason,
                        Optional<Grounding.Location> location) {
            String backend = "vlm:" + (result.model() == null || result.model().isBlank() ? QueryVlm.ENDPOINT : result.model());
            return new QueryAnswer(text, intent, mode, confidence, reason, frame, backend, elapsedMs(), Optional.empty(), location);
        }

        QueryAnswer error(QueryAnswer.Failure failure, String reason) {
            Log.warnf("Query on camera %s failed (%s): %s", camera, failure.code(), failure.reason());
            return new QueryAnswer(null, intent, ResponseMode.ERROR, confidence, reason, null,
                    "vlm:" + QueryVlm.ENDPOINT, elapsedMs(), Optional.of(failure), Optional.empty());
        }

        private long elapsedMs() {
            return (System.nanoTime() - start) / 1_000_000;
        }
    }
}
