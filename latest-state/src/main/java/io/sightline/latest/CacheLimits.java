package io.sightline.latest;

import java.time.Duration;

/** Bounds of the latest-frame cache (see {@link LatestStateConfig} for each key). */
record CacheLimits(int maxFrameBytes, Duration frameTtl, Duration cameraTtl, int maxCameras, int maxSide, int jpegQuality) {

    CacheLimits {
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("max-frame-bytes must be at least 1024, was " + maxFrameBytes);
        }
        if (maxCameras < 1) {
            throw new IllegalArgumentException("max-cameras must be at least 1, was " + maxCameras);
        }
        if (frameTtl.isNegative() || frameTtl.isZero() || cameraTtl.compareTo(frameTtl) < 0) {
            throw new IllegalArgumentException("frame-ttl must be positive and camera-ttl at least frame-ttl");
        }
    }

    static CacheLimits from(LatestStateConfig cache) {
        return new CacheLimits(cache.maxFrameBytes(), cache.frameTtl(), cache.cameraTtl(), cache.maxCameras(),
                cache.maxSide(), cache.jpegQuality());
    }
}
