package io.sightline.capture.source;

import io.sightline.common.net.VettedDestination;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * An HTTP(S) GET whose body FFmpeg reads as a stream (MJPEG cameras): the socket goes to the address the
 * outbound policy vetted, the request names the camera's host (Host header, TLS SNI and certificate check),
 * and anything but 200 — a redirect included — is a failure. FFmpeg's own HTTP client follows redirects
 * to any host and resolves names itself, so it is not given the URL.
 */
final class PinnedHttpStream implements AutoCloseable {

    private final Socket socket;
    private final InputStream body;

    private PinnedHttpStream(Socket socket, InputStream body) {
        this.socket = socket;
        this.body = body;
    }

    static PinnedHttpStream open(URI uri, VettedDestination target, Duration timeout) throws IOException {
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        Socket plain = new Socket();
        Socket socket = plain;
        try {
            plain.connect(new InetSocketAddress(target.address(), target.port()), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            if (tls) {
                SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(plain, target.host(), target.port(), true);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(parameters);
                ssl.startHandshake();
                socket = ssl;
            }
            String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(target.hostHeader(uri)).append("\r\n")
                    .append("User-Agent: sightline-capture\r\n")
                    .append("Accept: multipart/x-mixed-replace, image/jpeg, */*\r\n")
                    .append("Connection: close\r\n");
            if (uri.getRawUserInfo() != null) {
                // cameras take http://user:pass@host/video.mjpg to mean HTTP Basic authentication
                request.append("Authorization: Basic ")
                        .append(Base64.getEncoder().encodeToString(uri.getUserInfo().getBytes(StandardCharsets.UTF_8))).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            String status = line(in);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP answer");
            }
            boolean chunked = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                if (header.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:") && header.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            if (!parts[1].equals("200")) {
                // redirects are not followed: a 3xx could lead anywhere the outbound policy refuses
                throw new IOException("HTTP " + parts[1]);
            }
            return new PinnedHttpStream(socket, chunked ? new ChunkedBody(in) : in);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    InputStream body() {
        return body;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a dead camera connection: nothing left to do
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the camera closed the connection in the HTTP header");
            }
            if (bytes.size() > 8192) {
                throw new IOException("HTTP header line too long");
            }
            if (c != '\r') {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /** Transfer-Encoding: chunked, decoded. */
    private static final class ChunkedBody extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedBody(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in);
                if (size.isEmpty()) {
                    size = line(in);
                }
                int semi = size.indexOf(';');
                try {
                    left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size");
                }
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("the camera closed the connection in a chunk");
            }
            left -= n;
            return n;
        }
    }
}
