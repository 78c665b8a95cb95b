package io.sightline.capture.testing;

import io.sightline.testsupport.TestAssets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A live H.264 RTSP camera on 127.0.0.1 (TCP), served by GStreamer's RTSP server through
 * {@code src/test/resources/rtsp/rtsp_camera.py}, optionally behind RTSP Basic authentication. The test
 * is skipped with the reason when GStreamer's RTSP server is not installed (it fails instead under
 * {@code -Dsightline.require-assets=true}, as in CI). Stopped by PID.
 */
public final class RtspCamera implements AutoCloseable {

    private static final String PYTHON = "/usr/bin/python3";

    private final int port;
    private final String user;
    private final String password;
    private final int fps;
    private Process process;

    private RtspCamera(int port, int fps, String user, String password) {
        this.port = port;
        this.fps = fps;
        this.user = user;
        this.password = password;
    }

    /** Starts a camera at {@code fps} frames per second; {@code user} null means no authentication. */
    public static RtspCamera start(int fps, String user, String password) {
        requireGstreamer();
        RtspCamera camera = new RtspCamera(freePort(), fps, user, password);
        camera.restart();
        return camera;
    }

    /** The stream URL with the given credentials (null: none). */
    public String url(String withUser, String withPassword) {
        String auth = withUser == null ? "" : withUser + ":" + withPassword + "@";
        return "rtsp://" + auth + "127.0.0.1:" + port + "/cam";
    }

    /** Stops the server process (the stream drops for every client). */
    public void stop() {
        Process current = process;
        process = null;
        if (current == null) {
            return;
        }
        current.destroy();
        try {
            if (!current.waitFor(10, TimeUnit.SECONDS)) {
                current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            current.destroyForcibly();
        }
    }

    /** Starts the server again on the same port. */
    public void restart() {
        if (process != null) {
            throw new IllegalStateException("already running");
        }
        List<String> command = new ArrayList<>(List.of(PYTHON, script().toString(), Integer.toString(port), "/cam",
                Integer.toString(fps)));
        if (user != null) {
            command.add(user);
            command.add(password);
        }
        try {
            Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
            process = started;
            awaitReady(started);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the RTSP camera", e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void awaitReady(Process started) {
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY")) {
                        drain(started.getInputStream());
                        return null;
                    }
                    seen.append(line).append('\n');
                }
            } catch (IOException e) {
                seen.append(e);
            }
            return seen.toString();
        });
        try {
            String failure = ready.get(30, TimeUnit.SECONDS);
            if (failure != null) {
                throw new IllegalStateException("the RTSP camera did not start: " + failure);
            }
        } catch (Exception e) {
            started.destroyForcibly();
            throw e instanceof IllegalStateException ise ? ise : new IllegalStateException("the RTSP camera did not start", e);
        }
    }

    /** Keeps reading the server's output so a full pipe never blocks it. */
    private static void drain(InputStream in) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the process ended
            }
        }, "rtsp-camera-output");
        t.setDaemon(true);
        t.start();
    }

    private static Path script() {
        try {
            return Path.of(RtspCamera.class.getResource("/rtsp/rtsp_camera.py").toURI());
        } catch (Exception e) {
            throw new IllegalStateException("rtsp/rtsp_camera.py is not on the test classpath", e);
        }
    }

    private static void requireGstreamer() {
        String check = "import gi; gi.require_version('GstRtspServer', '1.0'); gi.require_version('Gst', '1.0');"
                + " from gi.repository import Gst, GstRtspServer; Gst.init(None);"
                + " import sys; sys.exit(0 if Gst.ElementFactory.find('x264enc') and Gst.ElementFactory.find('rtph264pay') else 3)";
        boolean ok;
        try {
            ok = Files.isExecutable(Path.of(PYTHON))
                    && new ProcessBuilder(PYTHON, "-c", check).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        if (!ok) {
            throw TestAssets.unavailable("GStreamer's RTSP server with x264enc (Debian gir1.2-gst-rtsp-server-1.0, python3-gst-1.0, "
                    + "gstreamer1.0-plugins-ugly) is not installed");
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
