package io.sightline.caption.backend.onnx;

/** A candidate detection: class index into the label list, score = objectness x class probability. */
record ScoredBox(int classId, float score, Box box) {
}
