package io.sightline.capture.publish;

import io.opentelemetry.context.Context;
import io.sightline.common.frame.CapturedFrame;
import io.smallrye.mutiny.Uni;

import java.time.Duration;

/**
 * One camera's way to Kafka for pulled frames: at most one record in flight and at most one waiting.
 * A newer frame replaces the waiting one (counted as dropped), so a slow or absent broker costs
 * memory for two frames per camera, never an unbounded queue.
 */
public final class LatestFrameLane {

    /** What happened to a frame handed to the lane. */
    public interface Outcome {
        void published(CapturedFrame frame);

        void failed(CapturedFrame frame, Throwable error);

        void dropped(CapturedFrame frame);
    }

    private record Pending(CapturedFrame frame, Context trace) {
    }

    private final FramePublisher publisher;
    private final String timeZone;
    private final Duration timeout;
    private final Outcome outcome;
    private Pending waiting;
    private boolean inFlight;
    private boolean closed;

    public LatestFrameLane(FramePublisher publisher, String timeZone, Duration timeout, Outcome outcome) {
        this.timeZone = timeZone;
        this.publisher = publisher;
        this.timeout = timeout;
        this.outcome = outcome;
    }

    public void offer(CapturedFrame frame, Context trace) {
        Pending pending = new Pending(frame, trace);
        Pending replaced = null;
        boolean sendNow = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (inFlight) {
                replaced = waiting;
                waiting = pending;
            } else {
                inFlight = true;
                sendNow = true;
            }
        }
        if (replaced != null) {
            outcome.dropped(replaced.frame());
        }
        if (sendNow) {
            send(pending);
        }
    }

    /** 1 when a frame waits behind the one in flight. */
    public synchronized int waitingCount() {
        return waiting == null ? 0 : 1;
    }

    public void close() {
        Pending discarded;
        synchronized (this) {
            closed = true;
            discarded = waiting;
            waiting = null;
        }
        if (discarded != null) {
            outcome.dropped(discarded.frame());
        }
    }

    private void send(Pending pending) {
        Uni<Void> sent;
        try {
            sent = publisher.publish(pending.frame(), timeZone, pending.trace());
        } catch (RuntimeException e) {
            sent = Uni.createFrom().failure(e);
        }
        sent.ifNoItem().after(timeout).failWith(() -> new java.util.concurrent.TimeoutException(
                        "no acknowledgement from Kafka within " + timeout.toSeconds() + " s"))
                .subscribe().with(
                        ignored -> {
                            outcome.published(pending.frame());
                            next();
                        },
                        error -> {
                            outcome.failed(pending.frame(), error);
                            next();
                        });
    }

    private void next() {
        Pending next;
        synchronized (this) {
            next = closed ? null : waiting;
            waiting = null;
            if (next == null) {
                inFlight = false;
                return;
            }
        }
        send(next);
    }
}
