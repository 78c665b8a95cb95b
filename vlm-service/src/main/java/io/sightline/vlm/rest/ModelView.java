package io.sightline.vlm.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.vlm.catalog.CatalogModel;
import io.sightline.vlm.lifecycle.HostedModel;
import io.sightline.vlm.model.ServedModel;

import java.util.List;

/** A model as {@code GET /v1/models} and {@code GET /api/v1/models/{id}} show it (OpenAI's fields plus Sightline's). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelView(String id, String object, long created, String ownedBy, String state, List<String> modalities,
                        Boolean vision, String placement, boolean isDefault, String unavailableReason, String lastFailure,
                        String endpoint, int slots, int inFlight, CatalogModel catalog,
                        io.sightline.vlm.lifecycle.ModelDownloads.Progress download) {

    static ModelView of(ServedModel model, boolean isDefault, CatalogModel catalog) {
        return new ModelView(model.id(), "model", 0, "sightline", model.state(), model.modalities(), model.vision().orElse(null),
                model.placement(), isDefault, model.unavailableReason().orElse(null), model.lastFailure().orElse(null),
                model instanceof HostedModel h ? h.baseUrl().toString() : null, model.queue().snapshot().slots(),
                model.queue().inFlight(), catalog, model instanceof HostedModel h ? h.download().orElse(null) : null);
    }
}
