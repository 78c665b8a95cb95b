package io.sightline.caption.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.caption.support.CaptionTestResource;
import io.sightline.caption.support.StandInControl;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.sightline.caption.support.CaptionTests.allHealthy;
import static io.sightline.caption.support.CaptionTests.awaitCaptionServerStopped;
import static io.sightline.caption.support.CaptionTests.backend;
import static io.sightline.caption.support.CaptionTests.control;
import static io.sightline.caption.support.CaptionTests.forFrame;
import static io.sightline.caption.support.CaptionTests.json;
import static io.sightline.caption.support.CaptionTests.sendFrame;
import static io.sightline.caption.support.CaptionTests.serverStarts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The caption server's lifecycle against a real child process: the configured {@code llama-server}
 * executable is a shell script running the stand-in server, so start, health polling, idle stop
 * (SIGTERM) and restart all happen for real.
 */
@QuarkusTest
@WithTestResource(CaptionTestResource.class)
class CaptionServerLifecycleTest {

    @BeforeEach
    void coldServer() {
        allHealthy();
        awaitCaptionServerStopped();
    }

    @Test
    void firstFrameStartsTheServerOnceForConcurrentFramesAndIdleStopsItAfterwards() {
        StandInControl.set(control(), "caption-server.startup-delay-ms", "1500");
        int startsBefore = serverStarts().size();
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS);
             TopicReader lifecycle = TopicReader.fromNow(Topics.VLM_LIFECYCLE)) {
            assertThat(backend("caption-server").path("lifecycle").asText()).isEqualTo("stopped");

            List<CapturedFrame> frames = List.of(sendFrame("life-a"), sendFrame("life-b"), sendFrame("life-c"));

            for (CapturedFrame frame : frames) {
                JsonNode caption = json(captions.awaitOne(r -> forFrame(r, frame), Duration.ofSeconds(45)));
                assertThat(caption.path("backend").asText()).isEqualTo("caption-server");
                assertThat(caption.path("fallbacks")).isEmpty();
                assertThat(caption.path("text").asText()).contains("A person seen in a frame of");
            }
            List<Long> started = serverStarts().subList(startsBefore, serverStarts().size());
            assertThat(started).as("three frames arriving during the start share one process").hasSize(1);
            long pid = started.get(0);
            assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

            // idle timeout is 3 s in the test configuration
            List<String> events = awaitEvents(lifecycle, 5);
            assertThat(events).containsExactly(LifecycleEvent.REQUESTED, LifecycleEvent.STARTING, LifecycleEvent.READY,
                    LifecycleEvent.STOP, LifecycleEvent.STOPPED);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("stopped is reported only once the process exited").isFalse();
            assertThat(backend("caption-server").path("lifecycle").asText()).isEqualTo("stopped");
        }
    }

    @Test
    void frameArrivingWhileTheServerStopsWaitsForTheStopAndStartsItAgain() {
        StandInControl.set(control(), "caption-server.stop-delay-ms", "2500");
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS);
             TopicReader lifecycle = TopicReader.fromNow(Topics.VLM_LIFECYCLE)) {
            CapturedFrame first = sendFrame("stop-race");
            assertThat(json(captions.awaitOne(r -> forFrame(r, first), Duration.ofSeconds(45))).path("backend").asText())
                    .isEqualTo("caption-server");
            long firstPid = serverStarts().get(serverStarts().size() - 1);

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> backend("caption-server").path("lifecycle").asText().equals("stopping"));
            CapturedFrame during = sendFrame("stop-race");

            JsonNode caption = json(captions.awaitOne(r -> forFrame(r, during), Duration.ofSeconds(45)));
            assertThat(caption.path("backend").asText()).isEqualTo("caption-server");
            assertThat(caption.path("fallbacks")).isEmpty();
            long secondPid = serverStarts().get(serverStarts().size() - 1);
            assertThat(secondPid).as("a new process after the old one exited").isNotEqualTo(firstPid);
            assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

            List<String> events = awaitEvents(lifecycle, 8);
            assertThat(events).containsExactly(LifecycleEvent.REQUESTED, LifecycleEvent.STARTING, LifecycleEvent.READY,
                    LifecycleEvent.STOP, LifecycleEvent.STOPPED,
                    LifecycleEvent.REQUESTED, LifecycleEvent.STARTING, LifecycleEvent.READY);
        }
    }

    @Test
    void lifecycleEventsAreKeyedByBackendAndCarryDistinctEventIds() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS);
             TopicReader lifecycle = TopicReader.fromNow(Topics.VLM_LIFECYCLE)) {
            CapturedFrame frame = sendFrame("event-ids");
            captions.awaitOne(r -> forFrame(r, frame), Duration.ofSeconds(45));
            List<ConsumerRecord<String, byte[]>> records = lifecycle.await(r -> true, 3, Duration.ofSeconds(30));
            assertThat(records).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo("caption-server");
                JsonNode event = json(r);
                assertThat(event.path("schema").asInt()).isEqualTo(LifecycleEvent.SCHEMA);
                assertThat(event.path("backend").asText()).isEqualTo("caption-server");
                assertThat(event.path("endpoint").asText()).startsWith("http://127.0.0.1:");
                assertThat(event.path("instance").asText()).startsWith("caption-service@");
            });
            Set<String> ids = records.stream().map(r -> json(r).path("event_id").asText()).collect(Collectors.toSet());
            assertThat(ids).hasSize(records.size());
            assertThat(json(records.get(0)).path("reason").asText()).contains(frame.frameId().toString());
        }
    }

    private static List<String> awaitEvents(TopicReader lifecycle, int count) {
        return lifecycle.await(r -> true, count, Duration.ofSeconds(40)).stream()
                .limit(count)
                .map(r -> json(r).path("event").asText())
                .toList();
    }
}
