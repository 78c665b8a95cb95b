package io.sightline.vlm.lifecycle;

import io.smallrye.mutiny.Uni;

/**
 * Brings the caption model server up and down. Implementations: a local process launcher
 * ({@code llama-server} child process), a Kubernetes launcher (scales a Deployment between 0 and 1),
 * and none (someone else answers {@code vlm_caption.requested}). The lifecycle manager serialises
 * calls: never two starts, never a start during a stop.
 */
public interface ServerLauncher {

    /** Short name for logs and {@code GET /api/v1/backends}: process, kubernetes, external. */
    String kind();

    /** Whether this instance may act (e.g. holds the Kubernetes Lease); others only wait for health. */
    boolean mayAct();

    /** Starts the server; completes once the start was issued (readiness is polled separately). */
    Uni<Void> start();

    /** Stops the server; completes only once it is gone (process exited, Deployment at 0 ready pods). */
    Uni<Void> stop();

    /** Whether this launcher believes the server is running (process alive, replicas >= 1). */
    boolean running();
}
