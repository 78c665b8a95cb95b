package io.sightline.embeddings;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The bundled int8 all-MiniLM-L6-v2 with an ONNX Runtime session we configure: langchain4j's own
 * model opens its session with the defaults (one intra-op thread per core, spinning while idle),
 * which kept both cores busy between queries. Here the threads are few and sleep when idle, and
 * batches run on the calling thread.
 */
public final class MiniLmEmbeddingModel extends AbstractInProcessEmbeddingModel {

    private static final String MODEL = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private final OnnxBertBiEncoder encoder;
    private final String fingerprint;

    /** Output dimensions of every vector this model returns. */
    public static final int DIMENSIONS = 384;

    public MiniLmEmbeddingModel(int intraOpThreads) {
        super(Runnable::run);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = sessionOptions(intraOpThreads)) {
            byte[] model = read(MODEL);
            byte[] tokenizer = read(TOKENIZER);
            OrtSession session = env.createSession(model, options);
            this.encoder = new OnnxBertBiEncoder(env, session, new ByteArrayInputStream(tokenizer), PoolingMode.MEAN);
            this.fingerprint = sha256(model, tokenizer);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot open the MiniLM embedding model: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled MiniLM model or tokenizer", e);
        }
    }

    /**
     * SHA-256 (hex) of the model and tokenizer bytes: equal fingerprints give equal vectors, so vectors
     * computed once can be kept under it (fallback-service's reference vectors).
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** Few threads, no idle spinning: a query embeds one short sentence, and the box runs other services. */
    static OrtSession.SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(Math.max(1, intraOpThreads));
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }

    private static byte[] read(String name) throws IOException {
        try (InputStream in = resource(name)) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] model, byte[] tokenizer) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(model);
            digest.update(tokenizer);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = AllMiniLmL6V2QuantizedEmbeddingModel.class.getResourceAsStream("/" + name);
        if (in == null) {
            in = AllMiniLmL6V2QuantizedEmbeddingModel.class.getClassLoader().getResourceAsStream(name);
        }
        if (in == null) {
            throw new IOException("resource " + name + " is not on the classpath");
        }
        return in;
    }

    @Override
    protected OnnxBertBiEncoder model() {
        return encoder;
    }

    @Override
    protected Integer knownDimension() {
        return DIMENSIONS;
    }
}
