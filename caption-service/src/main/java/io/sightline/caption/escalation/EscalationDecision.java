package io.sightline.caption.escalation;

/**
 * What to do with one frame: escalate it to the describing tier, or caption it from the camera's last
 * description ({@code lastDescription}, of frame {@code describedFrameId}; both null when there is none yet)
 * plus its own detections. {@code reason} is a bounded code, {@code detail} the particulars.
 */
public record EscalationDecision(boolean escalate, String reason, String detail, String describedFrameId,
                                 String lastDescription) {

    public static final String FIRST_FRAME = "first_frame";
    public static final String KEEP_ALIVE = "keep_alive";
    public static final String REFRESH = "refresh";
    public static final String STATIC = "static";
    public static final String BUDGET = "budget";
}
