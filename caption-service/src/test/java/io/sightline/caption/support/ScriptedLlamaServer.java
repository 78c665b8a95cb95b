package io.sightline.caption.support;

import io.sightline.testsupport.StandInVlmServer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@code llama-server} executable of the lifecycle tests: {@link StandInVlmServer} run as its own
 * process with llama-server's arguments, whose replies, readiness delay and exit delay come from a
 * control directory ({@link StandInControl}); each start is appended to {@code starts.log}.
 */
public final class ScriptedLlamaServer {

    private ScriptedLlamaServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8080;
        String model = "stand-in";
        Path control = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--model", "-m" -> model = Path.of(args[++i]).getFileName().toString();
                case "--control-dir" -> control = Path.of(args[++i]);
                default -> {
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        i++;
                    }
                }
            }
        }
        Path dir = control;
        Files.writeString(dir.resolve("starts.log"), ProcessHandle.current().pid() + " " + String.join(" ", args) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long startupDelay = StandInControl.number(dir, "caption-server.startup-delay-ms");
        StandInVlmServer server = StandInVlmServer.start(port, model);
        server.healthy(startupDelay <= 0);
        server.respond(request -> {
            StandInControl.Mode mode = StandInControl.mode(dir, "caption-server");
            if (mode.status() != 200) {
                return StandInVlmServer.Reply.error(mode.status(), mode.text());
            }
            String text = mode.text() != null ? mode.text() : request.images().isEmpty()
                    ? "No image was attached."
                    : "A person seen in a frame of " + request.images().get(0).width() + "x" + request.images().get(0).height() + " pixels.";
            return StandInVlmServer.Reply.delayed(text, mode.delayMs());
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long stopDelay = StandInControl.number(dir, "caption-server.stop-delay-ms");
            if (stopDelay > 0) {
                try {
                    Thread.sleep(stopDelay); // models a server that takes a while to unload its model on SIGTERM
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            server.close();
        }));
        if (startupDelay > 0) {
            Thread.sleep(startupDelay); // models loading the model before /health turns 200
            server.healthy(true);
        }
        System.out.println("scripted llama-server on port " + port);
        Thread.currentThread().join();
    }
}
