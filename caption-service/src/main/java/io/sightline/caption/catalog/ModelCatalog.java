package io.sightline.caption.catalog;

import io.sightline.common.hardware.HardwareTier;
import io.sightline.common.hardware.HardwareProbe;
import io.sightline.caption.backend.Tier;
import io.sightline.caption.config.CaptionConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.sightline.caption.catalog.CatalogEntry.CAPTION;
import static io.sightline.caption.catalog.CatalogEntry.LABELS;
import static io.sightline.caption.catalog.CatalogEntry.OBJECTS;
import static io.sightline.caption.catalog.CatalogEntry.TEXT;

/**
 * The single source of truth for what each tier runs and needs. Backends report {@code ramMb} and
 * {@code requiresGpu} from here; selection checks these needs against {@link HardwareProbe}.
 */
@ApplicationScoped
public class ModelCatalog {

    private final Map<Tier, CatalogEntry> entries = new EnumMap<>(Tier.class);

    ModelCatalog(CaptionConfig config) {
        // hosted by vlm-service, whose catalog (GET /v1/models) says what it runs and checks that it fits its host
        add(new CatalogEntry(Tier.CAPTION_SERVER, "vlm-service:" + config.captionServer().model(),
                "Caption model hosted by vlm-service (started on demand)",
                0, 0, 0, 3, 4, HardwareTier.MINIMAL, false, CatalogEntry.Placement.REMOTE, Set.of(CAPTION)));
        add(new CatalogEntry(Tier.VLM, "shared-vlm", "Shared OpenAI-compatible VLM (e.g. Qwen3-VL on vLLM)",
                0, 0, 0, 5, 2, HardwareTier.MINIMAL, false, CatalogEntry.Placement.REMOTE, Set.of(CAPTION, TEXT)));
        add(new CatalogEntry(Tier.SIDECAR, "gpu-sidecar", "GPU sidecar captioner (POST /describe)",
                2048, 0, 0, 4, 4, HardwareTier.MINIMAL, true, CatalogEntry.Placement.REMOTE, Set.of(CAPTION)));
        add(new CatalogEntry(Tier.ONNX, "yolox-nano+ppocr-v4", "YOLOX-Nano objects + PaddleOCR PP-OCRv4 text (ONNX Runtime, CPU)",
                0, 400, 20, 2, 3, HardwareTier.MINIMAL, false, CatalogEntry.Placement.LOCAL, Set.of(CAPTION, OBJECTS, TEXT)));
        add(new CatalogEntry(Tier.LABELS, "yolox-nano-labels", "YOLOX-Nano object labels only (ONNX Runtime, CPU)",
                0, 250, 4, 1, 4, HardwareTier.MINIMAL, false, CatalogEntry.Placement.LOCAL, Set.of(OBJECTS, LABELS)));
        add(new CatalogEntry(Tier.NONE, "none", "No description",
                0, 0, 0, 0, 5, HardwareTier.MINIMAL, false, CatalogEntry.Placement.LOCAL, Set.of()));
    }

    private void add(CatalogEntry entry) {
        entries.put(entry.tier(), entry);
    }

    public CatalogEntry entry(Tier tier) {
        return entries.get(tier);
    }

    /** All entries in chain order. */
    public List<CatalogEntry> entries() {
        return List.copyOf(entries.values());
    }
}
