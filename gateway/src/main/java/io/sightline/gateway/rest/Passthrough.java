package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.security.SecretMasker;
import io.sightline.gateway.client.DownstreamResponse;
import io.sightline.gateway.error.ApiError;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.resteasy.reactive.client.SseEvent;

import java.io.IOException;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/** Maps a downstream answer to the gateway's: status kept, JSON kept (optionally transformed), errors always JSON. */
final class Passthrough {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Camera and watch-job ids as the services issue them: no slashes, no dot-dot, bounded. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private Passthrough() {
    }

    static Response json(DownstreamResponse r, String service) {
        return json(r, service, UnaryOperator.identity());
    }

    static Response masked(DownstreamResponse r, String service) {
        return json(r, service, SecretMasker::mask);
    }

    static Response json(DownstreamResponse r, String service, UnaryOperator<JsonNode> transform) {
        if (r.status() == 401 || r.status() == 403) {
            // our internal token was refused: the caller's key is fine, the gateway is misconfigured
            return error(new ApiError("bad_gateway", service + " refused the gateway's internal token (" + r.status()
                    + "); check SIGHTLINE_INTERNAL_TOKEN on both", 502));
        }
        if (r.body().length == 0) {
            return retryAfter(Response.status(r.status()), r).build();
        }
        if (r.isJson()) {
            try {
                JsonNode node = JSON.readTree(r.body());
                return retryAfter(Response.status(r.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(transform.apply(node)), r).build();
            } catch (IOException e) {
                return error(new ApiError("bad_gateway", service + " answered " + r.status() + " with malformed JSON", 502));
            }
        }
        if (r.status() >= 400) {
            return error(new ApiError(r.status() == 404 ? "not_found" : "downstream_error",
                    service + " answered " + r.status(), r.status()));
        }
        return error(new ApiError("bad_gateway", service + " answered " + r.status() + " with " + r.contentType()
                + " where JSON was expected", 502));
    }

    /** A downstream's Retry-After (a 429 or 503 saying when to come back) reaches the caller unchanged. */
    private static Response.ResponseBuilder retryAfter(Response.ResponseBuilder builder, DownstreamResponse r) {
        return r.retryAfter() == null || r.retryAfter().isBlank() ? builder : builder.header("Retry-After", r.retryAfter());
    }

    static Response error(ApiError error) {
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(error.toJson()).build();
    }

    /** Rejects ids that could change the downstream path. */
    /** A downstream Server-Sent Events stream relayed as it comes: names, ids and data unchanged. */
    static Multi<OutboundSseEvent> sse(Multi<SseEvent<String>> events, Sse sse) {
        return events.map(e -> {
            OutboundSseEvent.Builder builder = sse.newEventBuilder().data(e.data() == null ? "" : e.data())
                    .mediaType(MediaType.TEXT_PLAIN_TYPE);
            if (e.name() != null) {
                builder.name(e.name());
            }
            if (e.id() != null) {
                builder.id(e.id());
            }
            return builder.build();
        });
    }

    static String id(String value, String what) {
        if (value == null || !ID.matcher(value).matches()) {
            throw io.sightline.gateway.error.GatewayException.badRequest(what + " must be 1-128 characters of letters, digits, '.', '_', ':' or '-'");
        }
        return value;
    }
}
