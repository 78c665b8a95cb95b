package io.sightline.caption.catalog;

import io.sightline.common.hardware.HardwareTier;
import io.sightline.common.hardware.HardwareProfile;
import io.sightline.caption.backend.Tier;
import io.sightline.caption.config.CaptionConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TierSelectorTest {

    private static final HardwareProfile SMALL_BOX = new HardwareProfile(2, 4096, List.of(), "nvidia-smi not found");
    private static final HardwareProfile DESKTOP = new HardwareProfile(8, 32768, List.of(), "nvidia-smi not found");
    private static final HardwareProfile GPU_BOX = new HardwareProfile(16, 65536,
            List.of(new HardwareProfile.Gpu("NVIDIA RTX 4090", 24564)), "nvidia-smi");

    private final ModelCatalog catalog = new ModelCatalog(config("default"));

    @Test
    void desktopWithEverythingAvailablePicksTheCaptionServerFirst() {
        var selection = TierSelector.select(Optional.empty(), Map.of(), catalog, DESKTOP);
        assertThat(selection.tier()).isEqualTo(Tier.CAPTION_SERVER);
        assertThat(selection.forced()).isFalse();
    }

    @Test
    void smallHomeBoxCanUseTheCaptionServerTierBecauseVlmServiceChecksTheModelFitsItsHost() {
        var selection = TierSelector.select(Optional.empty(), Map.of(), catalog, SMALL_BOX);
        assertThat(selection.tier()).isEqualTo(Tier.CAPTION_SERVER);
        assertThat(catalog.entry(Tier.CAPTION_SERVER).id()).isEqualTo("vlm-service:default");
    }

    @Test
    void unavailableTiersAreSkippedInChainOrderWithTheirReasons() {
        Map<Tier, String> down = new EnumMap<>(Tier.class);
        down.put(Tier.CAPTION_SERVER, "llama-server not found");
        down.put(Tier.VLM, "no base URL");
        down.put(Tier.SIDECAR, "no URL");
        var selection = TierSelector.select(Optional.empty(), down, catalog, GPU_BOX);
        assertThat(selection.tier()).isEqualTo(Tier.ONNX);
        assertThat(selection.passedOver()).containsEntry(Tier.VLM, "no base URL").hasSize(3);
    }

    @Test
    void withoutModelsOrServersTheChainEndsAtNone() {
        Map<Tier, String> down = new EnumMap<>(Tier.class);
        for (Tier t : List.of(Tier.CAPTION_SERVER, Tier.VLM, Tier.SIDECAR, Tier.ONNX, Tier.LABELS)) {
            down.put(t, "missing");
        }
        assertThat(TierSelector.select(Optional.empty(), down, catalog, SMALL_BOX).tier()).isEqualTo(Tier.NONE);
    }

    @Test
    void forcedTierWinsEvenWhenItIsUnavailable() {
        var selection = TierSelector.select(Optional.of(Tier.LABELS), Map.of(Tier.LABELS, "missing"), catalog, GPU_BOX);
        assertThat(selection.tier()).isEqualTo(Tier.LABELS);
        assertThat(selection.forced()).isTrue();
    }

    @Test
    void gpuFoundByNvidiaSmiMakesAGpuHost() {
        List<HardwareProfile.Gpu> gpus = HardwareProfile.parseNvidiaSmi("NVIDIA GeForce RTX 3060, 12288\nTesla T4, 15360\n");
        assertThat(gpus).containsExactly(new HardwareProfile.Gpu("NVIDIA GeForce RTX 3060", 12288),
                new HardwareProfile.Gpu("Tesla T4", 15360));
        assertThat(new HardwareProfile(4, 16000, gpus, "nvidia-smi").tier()).isEqualTo(HardwareTier.GPU);
        assertThat(HardwareProfile.parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the driver"))
                .isEmpty();
    }

    /** A config whose caption-server model is the given vlm-service model id; nothing else is read by the catalog. */
    private static CaptionConfig config(String model) {
        CaptionConfig.CaptionServer server = (CaptionConfig.CaptionServer) Proxy.newProxyInstance(
                CaptionConfig.class.getClassLoader(), new Class<?>[] {CaptionConfig.CaptionServer.class},
                (p, m, a) -> m.getName().equals("model") ? model : null);
        return (CaptionConfig) Proxy.newProxyInstance(CaptionConfig.class.getClassLoader(), new Class<?>[] {CaptionConfig.class},
                (p, m, a) -> m.getName().equals("captionServer") ? server : null);
    }
}
