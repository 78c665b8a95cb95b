package io.sightline.gateway.client;

import io.sightline.gateway.error.GatewayException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.ProcessingException;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Turns transport failures of a downstream call into the 503/504 the caller sees, fast. */
final class Downstreams {

    private Downstreams() {
    }

    static <T> Uni<T> guard(Uni<T> call, String service, Duration timeout) {
        return call
                .ifNoItem().after(timeout).failWith(() -> GatewayException.timeout(service, timeout))
                .onFailure(f -> !(f instanceof GatewayException)).transform(f -> translate(f, service, timeout));
    }

    static GatewayException translate(Throwable failure, String service, Duration timeout) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof ConnectException || root instanceof TimeoutException) {
                break;
            }
            root = root.getCause();
        }
        if (root instanceof TimeoutException || root.getClass().getSimpleName().contains("Timeout")) {
            if (root.getMessage() != null && root.getMessage().toLowerCase().contains("connect")) {
                return GatewayException.unavailable(service, "connection timed out", failure);
            }
            return GatewayException.timeout(service, timeout);
        }
        if (root instanceof ConnectException || root instanceof UnknownHostException || root instanceof UnresolvedAddressException
                || failure instanceof ProcessingException) {
            return GatewayException.unavailable(service, "cannot connect (" + root.getClass().getSimpleName() + ")", failure);
        }
        return GatewayException.unavailable(service, root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage()), failure);
    }
}
