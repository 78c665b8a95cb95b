package io.sightline.common.vlm;

/** Gives the one {@link VlmClient} per endpoint name (so its concurrency limit is shared by all callers). */
public interface VlmClients {

    /** The client for this endpoint, created on first use; same name -> same client. */
    VlmClient forEndpoint(VlmEndpoint endpoint);
}
