package io.sightline.caption.lifecycle;

import java.util.Locale;

/** Where the caption server is in its lifecycle. */
public enum LifecycleState {
    /** Not running; the next frame for it requests a start. */
    STOPPED,
    /** vlm_caption.requested published; waiting for someone (or our launcher) to start it. */
    REQUESTED,
    /** Our launcher started it; waiting for health and an image-capable model. */
    STARTING,
    /** Answers health and lists an image-capable model. */
    READY,
    /** Idle stop in progress; frames arriving now wait and then start it again. */
    STOPPING,
    /** The last start failed (the next frame tries again). */
    FAILED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
