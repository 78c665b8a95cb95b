package io.sightline.fallback.classify;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.quarkus.logging.Log;
import io.sightline.embeddings.SentenceVectors;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The sentence vectors of the classifier's reference texts (example and calibration queries), kept in a file
 * between starts: computing them was most of fallback-service's start (one model run per text, 258 of them,
 * about 2 s of CPU), and they change only with the model or the texts. The file's key is a SHA-256 of the
 * model's fingerprint and the texts, so another model or an edited example makes a new file (the old one is
 * deleted). A file that is missing, unreadable or does not match (key, count, dimensions, length) is ignored:
 * the vectors are computed and the file written again. Floats are stored bit for bit, so a read vector is the
 * computed one. Without a directory every start computes.
 */
final class ReferenceVectors {

    static final String FILE_PREFIX = "classifier-vectors-";
    private static final String FILE_SUFFIX = ".bin";
    private static final int MAGIC = 0x534C5256;
    private static final int FORMAT = 1;

    private final EmbeddingModel model;
    private final String modelFingerprint;
    private final Optional<Path> directory;

    ReferenceVectors(EmbeddingModel model, String modelFingerprint, Optional<Path> directory) {
        this.model = model;
        this.modelFingerprint = modelFingerprint;
        this.directory = directory;
    }

    /** Vectors computed at every start, none kept. */
    static ReferenceVectors computedEachStart(EmbeddingModel model) {
        return new ReferenceVectors(model, "", Optional.empty());
    }

    /**
     * The vectors of {@code texts}, in their order: read from the file of their key, or computed and stored.
     * One call per start: the file of another key is deleted as stale.
     */
    float[][] of(List<String> texts) {
        if (directory.isEmpty() || texts.isEmpty()) {
            return SentenceVectors.embedAll(model, texts);
        }
        String key = key(texts);
        Path file = directory.get().resolve(FILE_PREFIX + key.substring(0, 32) + FILE_SUFFIX);
        Optional<float[][]> stored = read(file, key, texts.size());
        if (stored.isPresent()) {
            return stored.get();
        }
        float[][] vectors = SentenceVectors.embedAll(model, texts);
        write(file, key, vectors);
        return vectors;
    }

    private String key(List<String> texts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(("format " + FORMAT + "\nmodel " + modelFingerprint + "\n").getBytes(StandardCharsets.UTF_8));
            for (String text : texts) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static Optional<float[][]> read(Path file, String key, int count) {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT || !in.readUTF().equals(key) || in.readInt() != count) {
                Log.infof("Classifier reference vectors in %s do not match the model and texts: computing them", file);
                return Optional.empty();
            }
            int dimensions = in.readInt();
            if (dimensions <= 0 || dimensions > 65_536) {
                Log.infof("Classifier reference vectors in %s have %d dimensions: computing them", file, dimensions);
                return Optional.empty();
            }
            byte[] bytes = new byte[count * dimensions * Float.BYTES];
            in.readFully(bytes);
            if (in.read() != -1) {
                Log.infof("Classifier reference vectors in %s are longer than they should be: computing them", file);
                return Optional.empty();
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            float[][] vectors = new float[count][dimensions];
            for (float[] vector : vectors) {
                buffer.asFloatBuffer().get(vector);
                buffer.position(buffer.position() + dimensions * Float.BYTES);
            }
            return Optional.of(vectors);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            Log.infof("Classifier reference vectors in %s cannot be read (%s): computing them", file, e.toString());
            return Optional.empty();
        }
    }

    /** Written to a temporary file and moved into place, so a reader sees a whole file or none; failures only cost the next start. */
    private static void write(Path file, String key, float[][] vectors) {
        Path dir = file.getParent();
        Path temporary = null;
        try {
            Files.createDirectories(dir);
            temporary = Files.createTempFile(dir, FILE_PREFIX, ".tmp");
            int dimensions = vectors[0].length;
            try (OutputStream raw = Files.newOutputStream(temporary); DataOutputStream out = new DataOutputStream(raw)) {
                out.writeInt(MAGIC);
                out.writeInt(FORMAT);
                out.writeUTF(key);
                out.writeInt(vectors.length);
                out.writeInt(dimensions);
                ByteBuffer buffer = ByteBuffer.allocate(vectors.length * dimensions * Float.BYTES);
                for (float[] vector : vectors) {
                    if (vector.length != dimensions) {
                        throw new IOException("vectors of " + dimensions + " and " + vector.length + " dimensions");
                    }
                    buffer.asFloatBuffer().put(vector);
                    buffer.position(buffer.position() + dimensions * Float.BYTES);
                }
                out.write(buffer.array());
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            temporary = null;
            deleteOthers(dir, file);
        } catch (IOException e) {
            Log.warnf("Classifier reference vectors not kept in %s (%s): the next start computes them again", dir, e.toString());
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // a leftover .tmp file is never read
                }
            }
        }
    }

    private static void deleteOthers(Path dir, Path keep) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, FILE_PREFIX + "*" + FILE_SUFFIX)) {
            for (Path other : files) {
                if (!other.equals(keep)) {
                    Files.deleteIfExists(other);
                }
            }
        }
    }
}
