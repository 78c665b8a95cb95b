package io.sightline.watch;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * Body of {@code POST /api/v1/watch}. {@code labels} are detector classes (COCO, e.g. person, car, dog) that wake
 * the job early; {@code channels} name the notification channels of its notification (empty = the default
 * route); {@code max_vlm_calls} caps its VLM calls (default: {@code budget.calls-per-minute} per minute of
 * {@code max_duration_minutes}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreateWatchRequest(
        @NotBlank(message = "camera must not be empty") @Size(max = 200) String camera,
        @NotBlank(message = "condition must not be empty") @Size(max = 2000, message = "condition must be at most 2000 characters") String condition,
        @Min(value = 1, message = "max_duration_minutes must be between 1 and 1440")
        @Max(value = 1440, message = "max_duration_minutes must be between 1 and 1440") Integer maxDurationMinutes,
        @Size(max = 20, message = "at most 20 labels") List<@NotBlank(message = "labels must not be empty") @Size(max = 100) String> labels,
        @Size(max = 20, message = "at most 20 zones") List<@NotNull @Valid Zone> zones,
        @Size(max = 10, message = "at most 10 channels")
        List<@NotNull(message = "channels must not contain null")
             @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}", message = "channels must be names matching [a-z0-9][a-z0-9_-]{0,62}") String> channels,
        @Min(value = 1, message = "max_vlm_calls must be at least 1") Integer maxVlmCalls) {
}
