package io.sightline.gateway.client;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * What a downstream answered: status, content type, the body bytes and its {@code Retry-After} (null when it sent
 * none), to pass through or inspect.
 */
public record DownstreamResponse(int status, String contentType, byte[] body, String retryAfter) {

    public DownstreamResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, null);
    }

    static DownstreamResponse of(Response response) {
        try {
            byte[] body = response.hasEntity() ? response.readEntity(byte[].class) : new byte[0];
            MediaType type = response.getMediaType();
            return new DownstreamResponse(response.getStatus(), type == null ? null : type.toString(), body == null ? new byte[0] : body,
                    response.getHeaderString("Retry-After"));
        } finally {
            response.close();
        }
    }

    public boolean isJson() {
        return contentType != null && contentType.toLowerCase().contains("json");
    }
}
