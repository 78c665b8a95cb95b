package io.sightline.fallback.query;

/** How a query was answered; {@link #wireName()} is the API's {@code response_mode}. */
public enum ResponseMode {
    TEMPLATE("template"),
    VLM_IMAGE("vlm_image"),
    VLM_TEXT("vlm_text"),
    ERROR("error");

    private final String wireName;

    ResponseMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
