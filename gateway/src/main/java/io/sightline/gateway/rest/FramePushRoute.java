package io.sightline.gateway.rest;

import io.sightline.gateway.client.CapturePush;
import io.sightline.gateway.client.CaptureClient;
import io.sightline.gateway.client.DownstreamResponse;
import io.sightline.gateway.error.ApiError;
import io.sightline.gateway.error.GatewayException;
import io.sightline.gateway.security.AccessPolicy;
import io.sightline.gateway.security.PushRateLimiter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /api/v1/frames/{camera}}: frames pushed by screen-capture agents and other producers,
 * streamed to capture-service as they arrive (JPEG or PNG body; optional X-Captured-At and X-Source;
 * 202 once Kafka has it). A Vert.x route rather than a REST resource so the body is never buffered at
 * the gateway. {@link io.sightline.gateway.security.ApiGuard} has authenticated the caller and checked
 * a declared Content-Length before this runs; here the bytes actually streamed are counted against the
 * same limit (chunked bodies included), and each camera is held to its push rate.
 */
@ApplicationScoped
class FramePushRoute {

    /**
     * Request headers passed on to capture-service: the Idempotency-Key makes a retry after a 503 carry
     * the same frame id. The caller's Authorization never is.
     */
    static final List<String> FORWARDED_HEADERS = List.of("Content-Type", "X-Captured-At", "X-Source", "Idempotency-Key");

    /** image/jpg is not a registered type but many clients send it for JPEG. */
    private static final List<String> IMAGE_TYPES = List.of("image/jpeg", "image/jpg", "image/png");

    private final CapturePush capture;
    private final PushRateLimiter rateLimiter;
    private final AccessPolicy policy;

    FramePushRoute(CapturePush capture, PushRateLimiter rateLimiter, AccessPolicy policy) {
        this.capture = capture;
        this.rateLimiter = rateLimiter;
        this.policy = policy;
    }

    void register(@Observes Router router) {
        router.post("/api/v1/frames/:camera").handler(this::push);
    }

    void push(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        // nothing may be read before the stream to capture-service is set up
        request.pause();
        String path = ctx.normalizedPath();
        try {
            String camera = Passthrough.id(ctx.pathParam("camera"), "camera");
            String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
            String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!IMAGE_TYPES.contains(mediaType)) {
                RouteReplies.error(ctx, new ApiError("unsupported_media_type", "Content-Type must be image/jpeg (or image/jpg) or image/png, was "
                        + (type == null ? "missing" : "'" + type + "'") + ".", 415), true);
                return;
            }
            long length = contentLength(request);
            if (length == 0) {
                throw GatewayException.badRequest("the body is empty; send the image bytes");
            }
            Duration wait = rateLimiter.acquire(camera);
            if (!wait.isZero()) {
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                ctx.response().putHeader("Retry-After", Long.toString(seconds));
                RouteReplies.error(ctx, new ApiError("rate_limited", "Camera " + camera + " pushes faster than it may; retry after "
                        + seconds + " s (sightline.gateway.push.per-camera-fps).", 429), true);
                return;
            }
            long limit = policy.ruleFor("POST", path).maxBodyBytes();
            capture.push(camera, request, length, limit, forwarded(request)).onComplete(result -> {
                if (result.succeeded()) {
                    RouteReplies.answer(ctx, result.result().asDownstream(), CaptureClient.SERVICE);
                } else if (result.cause() instanceof CapturePush.BodyTooLarge tooLarge) {
                    RouteReplies.error(ctx, new ApiError("payload_too_large", "The request body has more than " + tooLarge.limit
                            + " bytes; POST " + path + " accepts at most " + tooLarge.limit + ".", 413), false);
                } else if (result.cause() instanceof GatewayException e) {
                    RouteReplies.failed(ctx, e, true);
                } else {
                    RouteReplies.failed(ctx, GatewayException.unavailable(CaptureClient.SERVICE, String.valueOf(result.cause()), result.cause()), true);
                }
            });
        } catch (GatewayException e) {
            RouteReplies.failed(ctx, e, true);
        }
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw GatewayException.badRequest("Content-Length is not a number");
        }
    }

    private static MultiMap forwarded(HttpServerRequest request) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String name : FORWARDED_HEADERS) {
            String value = request.getHeader(name);
            if (value != null) {
                headers.set(name, value);
            }
        }
        return headers;
    }
}
