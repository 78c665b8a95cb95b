package io.sightline.common.security;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class InternalTokenFilterTest {

    private final InternalTokenFilter production = new InternalTokenFilter(true, Optional.of("s3cret-token"), false);

    @Test
    void everyRouteButHealthNeedsTheToken() {
        for (String path : new String[] {"/api/v1/cameras", "/api/v1/watch/w1", "/api/v1/cameras/door/frame.jpg", "/q/metrics", "/q/openapi", "/"}) {
            assertThat(production.check(path, null)).as(path).get().extracting(InternalTokenFilter.Refusal::status).isEqualTo(401);
            assertThat(production.check(path, "Bearer wrong")).as(path).get().extracting(InternalTokenFilter.Refusal::status).isEqualTo(401);
            assertThat(production.check(path, "Bearer s3cret-token")).as(path).isEmpty();
            assertThat(production.check(path, "bearer  s3cret-token ")).as(path).isEmpty();
        }
        assertThat(production.check("/q/health/ready", null)).isEmpty();
        assertThat(production.check("/q/health", null)).isEmpty();
        assertThat(production.check("/q/healthz", null)).isPresent();
    }

    @Test
    void extraOpenPathsAreOpenExactlyAndNothingBesideThem() {
        InternalTokenFilter metricsOpen = new InternalTokenFilter(true, Optional.of("t0ken"), false, java.util.List.of("/q/metrics"));
        assertThat(metricsOpen.check("/q/metrics", null)).isEmpty();
        assertThat(metricsOpen.check("/q/metricsx", null)).isPresent();
        assertThat(metricsOpen.check("/api/v1/cameras", null)).isPresent();
    }

    @Test
    void withoutATokenProductionFailsClosedAndDevTestStaysOpen() {
        InternalTokenFilter unsetInProduction = new InternalTokenFilter(true, Optional.empty(), false);
        assertThat(unsetInProduction.check("/api/v1/cameras", "Bearer anything")).get()
                .extracting(InternalTokenFilter.Refusal::status).isEqualTo(503);
        assertThat(unsetInProduction.check("/q/health/live", null)).isEmpty();
        InternalTokenFilter blank = new InternalTokenFilter(true, Optional.of("  "), false);
        assertThat(blank.check("/api/v1/cameras", "Bearer ")).get().extracting(InternalTokenFilter.Refusal::status).isEqualTo(503);
        assertThat(new InternalTokenFilter(true, Optional.empty(), true).check("/api/v1/cameras", null)).isEmpty();
    }
}
