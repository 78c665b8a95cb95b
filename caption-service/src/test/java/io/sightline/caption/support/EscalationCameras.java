package io.sightline.caption.support;

import java.util.List;

/** Cameras of the escalation tests: the escalation pipeline is on for these (off for the other caption tests). */
public final class EscalationCameras {

    public static final String FLOW = "esc-flow";
    public static final String STATIC = "esc-static";
    public static final String APPEAR = "esc-appear";
    public static final String COUNT = "esc-count";
    public static final String MOVE = "esc-move";
    public static final String TEXT = "esc-text";
    public static final String KEEP_ALIVE = "esc-keepalive";
    public static final String REFRESH = "esc-refresh";
    /** Two describing-tier calls per minute. */
    public static final String BUDGET = "esc-budget";

    public static final List<String> ALL = List.of(FLOW, STATIC, APPEAR, COUNT, MOVE, TEXT, KEEP_ALIVE, REFRESH, BUDGET);

    private EscalationCameras() {
    }
}
