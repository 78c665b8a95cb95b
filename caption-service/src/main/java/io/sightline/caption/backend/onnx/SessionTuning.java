package io.sightline.caption.backend.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * How ONNX Runtime allocates and schedules for one kind of model. The defaults come from measuring the
 * service's RSS (bench/caption-onnx/RESULTS.md, "Memory"): with its CPU arena and memory patterns on,
 * ORT keeps the peak of every input shape it has seen, and the text models see a new shape for almost
 * every frame (text detection at the frame's size, recognition at each line batch's width), so their
 * arenas grew to hundreds of MiB and never shrank.
 *
 * @param cpuArena      ORT's CPU memory arena (grows, never returns memory to the system)
 * @param memoryPattern pre-planned activation blocks, cached per input shape
 */
record SessionTuning(boolean cpuArena, boolean memoryPattern) {

    /** YOLOX-Nano always runs at 416x416: one shape, one plan, the arena stays at that shape's peak. */
    static final SessionTuning FIXED_SHAPE = new SessionTuning(true, true);
    /** PP-OCR det/cls/rec run at a different shape almost every call: plain allocations, freed after each run. */
    static final SessionTuning DYNAMIC_SHAPE = new SessionTuning(false, false);

    /** Caller-owned options for this tuning; idle threads never spin (the box runs Kafka, HTTP and other services). */
    OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setIntraOpNumThreads(intraOpThreads);
            so.setInterOpNumThreads(1);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setCPUArenaAllocator(cpuArena);
            so.setMemoryPatternOptimization(memoryPattern);
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
            so.addConfigEntry("session.inter_op.allow_spinning", "0");
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }
}
