package io.sightline.caption.escalation;

import io.sightline.caption.config.CaptionConfig;

import java.time.Duration;

/** One camera's escalation rules: the defaults of {@code sightline.caption.escalation} with its overrides applied. */
public record EscalationRules(boolean enabled, Duration keepAlive, double movement, double textChange, double minScore,
                              int perMinute, int perHour) {

    public static EscalationRules of(CaptionConfig.Escalation defaults, String camera) {
        CaptionConfig.CameraRules o = defaults.cameras().get(camera);
        if (o == null) {
            return new EscalationRules(defaults.enabled(), defaults.keepAlive(), defaults.movement(), defaults.textChange(),
                    defaults.minScore(), defaults.cameraPerMinute(), defaults.cameraPerHour());
        }
        return new EscalationRules(o.enabled().orElse(defaults.enabled()), o.keepAlive().orElse(defaults.keepAlive()),
                o.movement().orElse(defaults.movement()), o.textChange().orElse(defaults.textChange()),
                o.minScore().orElse(defaults.minScore()), o.perMinute().orElse(defaults.cameraPerMinute()),
                o.perHour().orElse(defaults.cameraPerHour()));
    }
}
