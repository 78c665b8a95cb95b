package io.sightline.common.vlm;

/** Gives the one {@link VlmClient} per endpoint name (so its concurrency limit is shared by all callers). */
public interface VlmClients {

    /** The client for this endpoint, created on first use; same name -> same client. */
    VlmClient forEndpoint(VlmEndpoint endpoint);

    /**
     * The client for this endpoint with its own breaker/retry policy; the policy of the first call
     * for a name wins (one client per name).
     */
    default VlmClient forEndpoint(VlmEndpoint endpoint, VlmClientPolicy policy) {
        return forEndpoint(endpoint);
    }
}
