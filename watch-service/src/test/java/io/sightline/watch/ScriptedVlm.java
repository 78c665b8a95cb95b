package io.sightline.watch;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.StandInVlmServer.ReceivedRequest;
import io.sightline.testsupport.StandInVlmServer.Reply;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in VLM for watch-job tests, scripted per job: each test puts a unique token in its condition
 * (which the system prompt carries) and registers the answers for that token. Unscripted jobs get
 * "not met, look again in 300 s".
 */
public class ScriptedVlm implements QuarkusTestResourceLifecycleManager {

    static final String NOT_MET_LATER = verdict(false, 300, "Nothing relevant is visible.", "");

    private static volatile StandInVlmServer server;
    private static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();

    /** Answers of one job in order; the last one repeats. Records what the job sent. */
    static final class Script {
        private final List<Function<ReceivedRequest, Reply>> replies;
        final List<ReceivedRequest> requests = new CopyOnWriteArrayList<>();

        private Script(List<Function<ReceivedRequest, Reply>> replies) {
            this.replies = replies;
        }

        synchronized Reply next(ReceivedRequest request) {
            requests.add(request);
            return replies.get(Math.min(requests.size(), replies.size()) - 1).apply(request);
        }

        int calls() {
            return requests.size();
        }
    }

    @Override
    public Map<String, String> start() {
        server = StandInVlmServer.start("stand-in-vlm");
        server.respond(request -> SCRIPTS.entrySet().stream()
                .filter(e -> request.text().contains(e.getKey()))
                .findFirst()
                .map(e -> e.getValue().next(request))
                .orElse(Reply.text(NOT_MET_LATER)));
        return Map.of("sightline.watch.vlm.base-url", server.baseUrl() + "/v1");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Script script(String token, String... answers) {
        return scriptReplies(token, java.util.Arrays.stream(answers).map(a -> (Function<ReceivedRequest, Reply>) r -> Reply.text(a)).toList());
    }

    static Script scriptReplies(String token, List<Function<ReceivedRequest, Reply>> replies) {
        Script script = new Script(replies);
        SCRIPTS.put(token, script);
        return script;
    }

    static String verdict(boolean met, int nextRunIn, String reasoning, String message) {
        return "{\"condition_met\": " + met + ", \"next_run_in\": " + nextRunIn + ", \"reasoning\": \"" + reasoning
                + "\", \"notification_message\": \"" + message + "\"}";
    }
}
