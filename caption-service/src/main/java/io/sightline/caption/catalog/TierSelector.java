package io.sightline.caption.catalog;

import io.sightline.common.hardware.HardwareProfile;
import io.sightline.caption.backend.Tier;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the head of the chain: the forced tier when one is configured, otherwise the first tier in chain
 * order whose model this host can run (catalog needs vs. detected hardware) and that is available.
 */
public final class TierSelector {

    /** The chosen tier, whether it was forced, and why each higher tier was passed over. */
    public record Selection(Tier tier, boolean forced, Map<Tier, String> passedOver) {
        public Selection {
            passedOver = Map.copyOf(passedOver);
        }
    }

    private TierSelector() {
    }

    /**
     * @param forced       the configured tier, empty for auto
     * @param unavailable  per tier, why it cannot take frames now (absent = available)
     */
    public static Selection select(Optional<Tier> forced, Map<Tier, String> unavailable, ModelCatalog catalog,
                                   HardwareProfile host) {
        if (forced.isPresent()) {
            return new Selection(forced.get(), true, Map.of());
        }
        Map<Tier, String> passedOver = new EnumMap<>(Tier.class);
        for (Tier tier : Tier.values()) {
            if (tier == Tier.NONE) {
                return new Selection(tier, false, passedOver);
            }
            String shortfall = catalog.entry(tier).hardwareShortfall(host);
            if (shortfall != null) {
                passedOver.put(tier, shortfall);
                continue;
            }
            String reason = unavailable.get(tier);
            if (reason != null) {
                passedOver.put(tier, reason);
                continue;
            }
            return new Selection(tier, false, passedOver);
        }
        return new Selection(Tier.NONE, false, passedOver);
    }
}
