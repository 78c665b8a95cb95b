package io.sightline.fallback.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /api/v1/query}. {@code confidence}, when given, replaces the classifier's;
 * {@code include_image=false} keeps the frame out of any VLM call (default true).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QueryRequest(
        @NotBlank(message = "camera is required") @Size(max = 200, message = "camera is longer than 200 characters") String camera,
        @NotBlank(message = "query is required") String query,
        @DecimalMin(value = "0.0", message = "confidence must be between 0 and 1")
        @DecimalMax(value = "1.0", message = "confidence must be between 0 and 1") Double confidence,
        Boolean includeImage) {

    boolean includeImageOrDefault() {
        return includeImage == null || includeImage;
    }
}
