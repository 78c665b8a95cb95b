package io.sightline.gateway.client;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** What a downstream answered: status, content type and the body bytes, to pass through or inspect. */
public record DownstreamResponse(int status, String contentType, byte[] body) {

    static DownstreamResponse of(Response response) {
        try {
            byte[] body = response.hasEntity() ? response.readEntity(byte[].class) : new byte[0];
            MediaType type = response.getMediaType();
            return new DownstreamResponse(response.getStatus(), type == null ? null : type.toString(), body == null ? new byte[0] : body);
        } finally {
            response.close();
        }
    }

    public boolean isJson() {
        return contentType != null && contentType.toLowerCase().contains("json");
    }
}
