package io.sightline.vlm.lifecycle;

import io.smallrye.mutiny.Uni;

/**
 * Someone else runs the caption server (a supervisor or scaler answering {@code vlm_caption.requested}
 * and {@code vlm_caption.stop}); this service only publishes requests and waits for health.
 */
public class ExternalServerLauncher implements ServerLauncher {

    public static final String KIND = "external";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public boolean mayAct() {
        return false;
    }

    @Override
    public Uni<Void> start() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public boolean running() {
        return false;
    }
}
