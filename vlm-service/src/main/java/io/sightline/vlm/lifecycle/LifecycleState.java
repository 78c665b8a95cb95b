package io.sightline.vlm.lifecycle;

import java.util.Locale;

/** Where a hosted model's server is in its lifecycle. */
public enum LifecycleState {
    /** Not running; the next request for it starts it. */
    STOPPED,
    /** Its files are being downloaded; it starts once they verify. */
    DOWNLOADING,
    /** vlm_caption.requested published; waiting for someone (or our launcher) to start it. */
    REQUESTED,
    /** Our launcher started it; waiting for health. */
    STARTING,
    /** Answers health; /props read. */
    READY,
    /** Stop in progress; requests arriving now wait and then start it again. */
    STOPPING,
    /** The last start failed or the server crashed (the next request tries again, after a backoff). */
    FAILED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
