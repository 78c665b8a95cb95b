package io.sightline.history.ingest;

import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.event.NotificationRaised;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The decoded records of one poll (or of one record, when a batch is retried record by record), in arrival order per kind. */
public final class IngestBatch {

    /** A 320 px JPEG of a frame, and the camera's time zone when the frame names one (header time-zone). */
    public record Thumbnail(UUID frameId, String camera, long capturedAt, byte[] jpeg, String timeZone) {
    }

    final List<CaptionProduced> captions = new ArrayList<>();
    final List<DetectionsProduced> detections = new ArrayList<>();
    final List<NotificationRaised> notifications = new ArrayList<>();
    final List<LifecycleEvent> lifecycle = new ArrayList<>();
    final List<Thumbnail> thumbnails = new ArrayList<>();
    final List<WatchJobState> watchJobs = new ArrayList<>();
    final List<WatchJobState.Removed> watchJobsRemoved = new ArrayList<>();

    public IngestBatch add(Object decoded) {
        if (decoded instanceof CaptionProduced c) {
            captions.add(c);
        } else if (decoded instanceof DetectionsProduced d) {
            detections.add(d);
        } else if (decoded instanceof NotificationRaised n) {
            notifications.add(n);
        } else if (decoded instanceof LifecycleEvent l) {
            lifecycle.add(l);
        } else if (decoded instanceof Thumbnail t) {
            thumbnails.add(t);
        } else if (decoded instanceof WatchJobState w) {
            watchJobs.add(w);
        } else if (decoded instanceof WatchJobState.Removed r) {
            watchJobsRemoved.add(r);
        } else {
            throw new IllegalArgumentException("not an ingest record: " + decoded.getClass().getSimpleName());
        }
        return this;
    }

    public boolean isEmpty() {
        return captions.isEmpty() && detections.isEmpty() && notifications.isEmpty() && lifecycle.isEmpty() && thumbnails.isEmpty()
                && watchJobs.isEmpty() && watchJobsRemoved.isEmpty();
    }

    public int size() {
        return captions.size() + detections.size() + notifications.size() + lifecycle.size() + thumbnails.size() + watchJobs.size()
                + watchJobsRemoved.size();
    }

    public List<CaptionProduced> captions() {
        return captions;
    }

    public List<DetectionsProduced> detections() {
        return detections;
    }

    public List<NotificationRaised> notifications() {
        return notifications;
    }

    public List<LifecycleEvent> lifecycle() {
        return lifecycle;
    }

    public List<Thumbnail> thumbnails() {
        return thumbnails;
    }

    public List<WatchJobState> watchJobs() {
        return watchJobs;
    }

    public List<WatchJobState.Removed> watchJobsRemoved() {
        return watchJobsRemoved;
    }
}
