package io.sightline.latest;

import io.sightline.common.kafka.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.List;

/**
 * Ready once the cache reads frames, captions and detections and has read back their tail: before that, queries
 * and watch jobs would not see a camera that is quiet right now.
 */
@Readiness
@ApplicationScoped
class LatestStateReadiness implements HealthCheck {

    private static final List<String> TOPICS = List.of(Topics.FRAMES, Topics.CAPTIONS, Topics.DETECTIONS);

    private final FeedAssignments assignments;
    private final LatestFrameCache cache;

    LatestStateReadiness(@Identifier(FeedAssignments.NAME) FeedAssignments assignments, LatestFrameCache cache) {
        this.assignments = assignments;
        this.cache = cache;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("latest-frames")
                .status(TOPICS.stream().allMatch(assignments::owns) && assignments.rebuildDone())
                .withData("cameras", cache.cameras().size())
                .withData("partitions.rebuilding", assignments.rebuilding());
        assignments.owned().forEach((topic, count) -> builder.withData("partitions." + topic, count));
        return builder.build();
    }
}
