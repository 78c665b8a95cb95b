package io.sightline.watch;

import java.util.stream.Collectors;

/** The system prompt of a watch job: the condition, the focus, the JSON-only answer and how to pace. */
final class WatchPrompt {

    private WatchPrompt() {
    }

    static String system(WatchJob job, int minNextRun, int maxNextRun) {
        StringBuilder sb = new StringBuilder();
        sb.append("You are monitoring a camera until a condition is met. You receive one frame at a time; ")
                .append("earlier frames and your earlier answers are in the conversation.\n\n")
                .append("Condition: ").append(job.condition().trim()).append('\n');
        if (!job.labels().isEmpty() || !job.zones().isEmpty()) {
            sb.append("\nFocus:\n");
            if (!job.labels().isEmpty()) {
                sb.append("- Objects of interest: ").append(String.join(", ", job.labels())).append('\n');
            }
            if (!job.zones().isEmpty()) {
                sb.append("- Regions of interest: ")
                        .append(job.zones().stream().map(Zone::describe).collect(Collectors.joining("; ")))
                        .append('\n');
            }
        }
        sb.append("\nAnswer with JSON only, no other text, exactly this shape:\n")
                .append("{\"condition_met\": true or false, \"next_run_in\": seconds until the next look (")
                .append(minNextRun).append('-').append(maxNextRun).append("), ")
                .append("\"reasoning\": \"what you see, 1-2 sentences\", ")
                .append("\"notification_message\": \"a short message for the user when the condition is met, else empty\"}\n\n")
                .append("Choosing next_run_in:\n")
                .append("- Nothing relevant in the scene: 60-300 seconds.\n")
                .append("- A relevant object is visible: 3-10 seconds.\n")
                .append("- The condition is forming (about to be met): 1-5 seconds.\n\n")
                .append("Set condition_met to true only when you are confident the condition is met in this frame. ")
                .append("Keep reasoning to 1-2 sentences.");
        return sb.toString();
    }
}
