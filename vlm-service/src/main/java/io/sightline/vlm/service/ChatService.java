package io.sightline.vlm.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmException;
import io.sightline.vlm.config.VlmConfig;
import io.sightline.vlm.model.ModelUnavailableException;
import io.sightline.vlm.model.ServedModel;
import io.sightline.vlm.queue.PriorityQueue;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * One chat completion through vlm-service: find the model, check the images, start the model (or join its
 * start), refuse images to a model that cannot see, wait for a slot in the model's priority queue, call
 * the server. Failures become {@link ApiException}s with the status the caller should see.
 */
@ApplicationScoped
public class ChatService {

    private final ModelRegistry models;
    private final Duration timeout;

    ChatService(ModelRegistry models, VlmConfig config) {
        this.models = models;
        this.timeout = config.requestTimeout();
    }

    /** The class a request runs at: the asked class lowered to the entitlement (absent entitlement = internal caller, any class). */
    public static Priority priority(String asked, String entitlement, String legacyLevel) {
        Priority cls = Priority.fromId(asked).orElse(null);
        if (cls == null && asked != null && !asked.isBlank()) {
            throw ApiException.badRequest(Priority.HEADER + " must be interactive, watch or batch, was '"
                    + (asked.length() > 20 ? asked.substring(0, 20) : asked) + "'");
        }
        if (cls == null && legacyLevel != null && !legacyLevel.isBlank()) {
            try {
                cls = Priority.fromLevel(Integer.parseInt(legacyLevel.trim()));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("X-Priority must be a whole number from 1 (interactive) to 10 (batch)");
            }
        }
        Priority allowed = Priority.fromId(entitlement).orElse(Priority.INTERACTIVE);
        if (cls == null) {
            cls = allowed;
        }
        return cls.atMost(allowed);
    }

    /** Checks the body and resolves its model: 400 on a bad body or image, 404 on an unknown model. */
    public Prepared prepare(JsonNode body) {
        if (!(body instanceof ObjectNode object)) {
            throw ApiException.badRequest("the body must be a JSON object (an OpenAI chat completion request)");
        }
        if (!object.path("messages").isArray() || object.path("messages").isEmpty()) {
            throw ApiException.badRequest("'messages' must be a non-empty array");
        }
        String id = object.path("model").asText(ModelRegistry.DEFAULT);
        ServedModel model = models.model(id).orElseThrow(() -> {
            List<String> known = models.models().stream().map(ServedModel::id).toList();
            String why = id.equals(ModelRegistry.DEFAULT) ? "there is no default model: " + models.defaultProblem().orElse("none configured")
                    : "model '" + id + "' does not exist";
            return new ApiException(404, "model_not_found", why + "; known models: " + known, null, known, null);
        });
        boolean hasImage = checkImages(object);
        return new Prepared(object, model, hasImage, object.path("stream").asBoolean(false));
    }

    /** A checked request. */
    public record Prepared(ObjectNode body, ServedModel model, boolean hasImage, boolean stream) {
    }

    private static boolean checkImages(ObjectNode body) {
        boolean any = false;
        for (JsonNode message : body.path("messages")) {
            for (JsonNode part : message.path("content")) {
                if (!"image_url".equals(part.path("type").asText())) {
                    continue;
                }
                any = true;
                JsonNode urlNode = part.path("image_url");
                String url = urlNode.isTextual() ? urlNode.asText() : urlNode.path("url").asText("");
                if (url.startsWith("data:")) {
                    int comma = url.indexOf(',');
                    if (comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                        throw ApiException.badRequest("an image_url data URI must be base64 (data:image/jpeg;base64,...)");
                    }
                    byte[] bytes;
                    try {
                        bytes = Base64.getMimeDecoder().decode(url.substring(comma + 1));
                    } catch (IllegalArgumentException e) {
                        throw ApiException.badRequest("an image_url data URI is not valid base64");
                    }
                    if (!decodable(bytes)) {
                        throw ApiException.badRequest("an image could not be decoded (" + bytes.length
                                + " bytes; JPEG, PNG, GIF, BMP or WebP expected)");
                    }
                } else if (url.isBlank()) {
                    throw ApiException.badRequest("an image_url part has no url");
                }
            }
        }
        return any;
    }

    /** Reads the image header (format and size) without decoding the pixels. */
    private static boolean decodable(byte[] bytes) {
        if (bytes.length >= 12 && bytes[0] == 'R' && bytes[1] == 'I' && bytes[2] == 'F' && bytes[3] == 'F'
                && bytes[8] == 'W' && bytes[9] == 'E' && bytes[10] == 'B' && bytes[11] == 'P') {
            return true;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return false;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return reader.getWidth(0) > 0 && reader.getHeight(0) > 0;
            } finally {
                reader.dispose();
            }
        } catch (Exception e) {
            return false;
        }
    }

    public Uni<JsonNode> complete(Prepared request, Priority priority) {
        ServedModel model = request.model();
        return Uni.createFrom().deferred(() -> {
            long stops = model.stops();
            return admitted(request, priority).chain(admission -> admission.client().chatRaw(upstreamBody(request), priority)
                            .onTermination().invoke(admission::done))
                    .onFailure().transform(e -> failure(model, e, stops));
        });
    }

    public Multi<String> stream(Prepared request, Priority priority) {
        ServedModel model = request.model();
        return Multi.createFrom().deferred(() -> {
            long stops = model.stops();
            return admitted(request, priority).onItem().transformToMulti(admission -> admission.client()
                            .streamRaw(upstreamBody(request), priority)
                            .onTermination().invoke(admission::done))
                    .onFailure().transform(e -> failure(model, e, stops));
        });
    }

    private ObjectNode upstreamBody(Prepared request) {
        ObjectNode copy = request.body().deepCopy();
        copy.put("model", request.model().upstreamModel());
        return copy;
    }

    private record Admission(VlmClient client, PriorityQueue.Permit permit, ServedModel model) {
        void done() {
            permit.release();
            model.release();
        }
    }

    /** Ready model + vision check + a slot, within the request timeout; the model counts as busy from the first moment. */
    private Uni<Admission> admitted(Prepared request, Priority priority) {
        ServedModel model = request.model();
        return Uni.createFrom().deferred(() -> {
            model.acquire();
            return model.ready("request for " + model.id() + " (" + priority.id() + ")")
                    .chain(client -> {
                        if (request.hasImage() && !model.vision().orElse(false)) {
                            return Uni.createFrom().<Admission>failure(ApiException.badRequest("model '" + model.id()
                                    + "' cannot see images (" + (model.vision().isEmpty() ? "its server does not report vision"
                                    : "its server reports modalities.vision=false") + "); send text only or pick a vision model"));
                        }
                        return model.queue().acquire(priority)
                                .ifNoItem().after(timeout).failWith(() -> new ApiException(503, "timeout",
                                        "no slot of model '" + model.id() + "' became free within " + timeout.toSeconds() + " s",
                                        Duration.ofSeconds(5), null, null))
                                .map(permit -> new Admission(client, permit, model));
                    })
                    .onFailure().invoke(model::release)
                    .onCancellation().invoke(model::release);
        });
    }

    private static Throwable failure(ServedModel model, Throwable e, long stopsBefore) {
        if (e instanceof ApiException) {
            return e;
        }
        if (e instanceof VlmException vlm && vlm.isServerFault() && model.stops() != stopsBefore) {
            // the server was stopped (POST .../stop, vlm_caption.stop, idle) while this request was on it: not the
            // server's fault, and the next request starts it again
            return new ApiException(503, "model_unavailable", "model '" + model.id() + "' was stopped while this request was"
                    + " in flight; retry (the next request starts it again)", Duration.ofSeconds(1), null, e);
        }
        if (e instanceof PriorityQueue.QueueFullException full) {
            return new ApiException(429, "rate_limit_exceeded", full.getMessage(), full.retryAfter(), null, e);
        }
        if (e instanceof ModelUnavailableException unavailable) {
            return new ApiException(503, "model_unavailable", unavailable.getMessage(), unavailable.retryAfter().orElse(Duration.ofSeconds(5)),
                    null, e);
        }
        if (e instanceof VlmException vlm) {
            Duration retry = model.upstreamFailed(vlm).orElse(vlm.retryAfter().orElse(null));
            return switch (vlm.kind()) {
                case REJECTED -> new ApiException(vlm.status() > 0 ? vlm.status() : 400, "invalid_request_error", vlm.getMessage(), null, null, e);
                case OVERLOADED -> new ApiException(429, "rate_limit_exceeded", vlm.getMessage(), retry == null ? Duration.ofSeconds(1) : retry, null, e);
                case TIMEOUT -> new ApiException(504, "timeout", vlm.getMessage(), null, null, e);
                case UNAVAILABLE -> new ApiException(503, "model_unavailable", "model '" + model.id() + "' " + model.state()
                        + ": " + vlm.getMessage(), retry == null ? Duration.ofSeconds(1) : retry, null, e);
                default -> new ApiException(502, "bad_gateway", "model '" + model.id() + "' failed: " + vlm.getMessage(),
                        retry, null, e);
            };
        }
        return new ApiException(502, "bad_gateway", "model '" + model.id() + "' failed: " + e, model.upstreamFailed(e).orElse(null), null, e);
    }
}
