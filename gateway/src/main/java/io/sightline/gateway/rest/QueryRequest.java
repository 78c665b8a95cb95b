package io.sightline.gateway.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** A question about a camera. {@code confidence} (0-1) overrides the classifier's. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueryRequest(
        @NotBlank(message = "camera is required") @Size(max = 128) String camera,
        @NotBlank(message = "query is required") @Size(max = 2000, message = "query must be at most 2000 characters") String query,
        @DecimalMin(value = "0", message = "confidence must be between 0 and 1")
        @DecimalMax(value = "1", message = "confidence must be between 0 and 1") Double confidence,
        @JsonProperty("include_image") Boolean includeImage) {
}
