package io.sightline.watch;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.List;

/** Body of {@code POST /api/v1/watch}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreateWatchRequest(
        @NotBlank(message = "camera must not be empty") @Size(max = 200) String camera,
        @NotBlank(message = "condition must not be empty") @Size(max = 2000, message = "condition must be at most 2000 characters") String condition,
        @Min(value = 1, message = "max_duration_minutes must be between 1 and 1440")
        @Max(value = 1440, message = "max_duration_minutes must be between 1 and 1440") Integer maxDurationMinutes,
        @Size(max = 20, message = "at most 20 labels") List<@NotBlank(message = "labels must not be empty") @Size(max = 100) String> labels,
        @Size(max = 20, message = "at most 20 zones") List<@NotNull @Valid Zone> zones) {
}
