package io.sightline.caption.chain;

import java.util.List;

/** No describing tier could describe the frame (and falling through to {@code none} is switched off). */
public class AllTiersFailedException extends RuntimeException {

    public AllTiersFailedException(List<String> reasons) {
        super("no tier could describe the frame: " + String.join("; ", reasons));
    }
}
