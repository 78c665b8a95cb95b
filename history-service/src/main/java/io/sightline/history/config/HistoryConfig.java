package io.sightline.history.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of history-service (ingest, episodes, search, retention). */
@ConfigMapping(prefix = "sightline.history")
public interface HistoryConfig {

    Ingest ingest();

    Episodes episodes();

    Search search();

    Retention retention();

    Live live();

    Disk disk();

    /**
     * The full-disk guard: free space on what the database writes to (its data directory and its tablespace, when they
     * are on this machine), or the database's size against {@link Disk#maxDatabaseBytes()} for a server elsewhere.
     * Below the minimum, ingest pauses without committing offsets, readiness says why, and the retention job frees the
     * oldest data at once; ingest resumes by itself when there is room again.
     */
    interface Disk {

        /** Least free bytes to keep on each watched file system (the larger of this and {@link #minFreePercent()} applies). */
        @WithDefault("536870912")
        long minFreeBytes();

        /** Least free share of each watched file system, in percent of its size. */
        @WithDefault("5")
        double minFreePercent();

        /** How much more than the minimum the emergency retention frees (oldest first) once the guard trips. */
        @WithDefault("268435456")
        long freeTargetBytes();

        /**
         * Largest database size (pg_database_size, less the space deleted rows left for reuse) before ingest pauses; for a
         * server whose disk this service cannot see (an external PostgreSQL). Unset: only the local check applies.
         */
        Optional<Long> maxDatabaseBytes();

        /** Extra local paths to watch (e.g. a volume the database shares with something else). */
        Optional<java.util.List<String>> paths();

        /** How long a measurement is reused while ingest runs (it is taken afresh on every check while paused). */
        @WithDefault("5s")
        Duration checkInterval();
    }

    /** Reading captions, detections, notifications, vlm.lifecycle and frames into the database. */
    interface Ingest {

        /** Consumer group of the ingest consumer; every replica shares it (partitions are split). */
        @WithDefault("history-service")
        String groupId();

        /**
         * Static group membership (group.instance.id, stable per replica: the pod name or the id kept in the
         * state dir): a replica killed and restarted takes its partitions back at once instead of after a
         * rebalance; one gone for good is replaced after {@link #sessionTimeout()}.
         */
        Optional<String> instanceId();

        /** Consumer session timeout: how long a replica that vanished keeps its partitions. */
        @WithDefault("10s")
        Duration sessionTimeout();

        /** Most records one poll returns; one poll is one database transaction. */
        @WithDefault("1000")
        int maxPollRecords();

        /** How long one poll waits for records. */
        @WithDefault("PT0.5S")
        Duration pollTimeout();

        /** Wait between database probes while the database is down (consumer paused). */
        @WithDefault("PT2S")
        Duration retryBackoff();

        /**
         * ONNX Runtime intra-op threads of the caption embedding model (threads sleep when idle). Batches of
         * captions are embedded on the ingest thread.
         */
        @WithDefault("2")
        int embeddingThreads();

        /** Store a thumbnail of each frame on the frames topic. */
        @WithDefault("true")
        boolean thumbnails();

        /** Longest side of a stored thumbnail, in pixels. */
        @WithDefault("320")
        int thumbnailMaxSide();

        /** JPEG quality (1-100) of stored thumbnails. */
        @WithDefault("70")
        int thumbnailQuality();
    }

    /** Grouping detections into episodes. */
    interface Episodes {

        /** Longest gap between two frames showing the same thing that still counts as one episode. */
        @WithDefault("PT5S")
        Duration gap();

        /** Detections scoring below this are ignored for episodes. */
        @WithDefault("0.3")
        double minScore();
    }

    /** Hybrid search. */
    interface Search {

        /** Reciprocal-rank-fusion constant k: score = sum of 1 / (k + rank). */
        @WithDefault("60")
        int rrfK();

        /** Full-text candidates ranked before fusion. */
        @WithDefault("200")
        int fulltextCandidates();

        /** Most distinct caption texts the exact cosine ranks (those left after the camera/time filters, newest first). */
        @WithDefault("20000")
        int semanticCandidates();

        /**
         * Caption-text vectors kept in memory for semantic search (1.5 KiB each; 0 = read every candidate's
         * vector from the database on every search).
         */
        @WithDefault("20000")
        int vectorCacheSize();

        /**
         * Use pgvector's HNSW index for the semantic side where the server has the extension (it is created, with a
         * vector column and the index, at start); false keeps exact cosine in Java everywhere.
         */
        @WithDefault("true")
        boolean pgvector();

        /** pgvector's {@code hnsw.ef_search}: candidates the index walks per search (higher: better recall, slower). */
        @WithDefault("200")
        int hnswEfSearch();

        /** Query embeddings kept for repeated search texts (least recently used evicted); 0 disables the cache. */
        @WithDefault("256")
        int queryEmbeddingCacheSize();

        /** Results returned when no limit is given. */
        @WithDefault("20")
        int defaultLimit();

        /** Largest limit accepted. */
        @WithDefault("100")
        int maxLimit();
    }

    /** Retention and the size cap, enforced by a scheduled job. */
    interface Retention {

        /** Days a camera's history is kept unless the camera has its own setting. */
        @WithDefault("30")
        int defaultDays();

        /** How often the retention job runs. */
        @WithDefault("1h")
        String interval();

        /** Most bytes of thumbnails kept (live JPEG bytes); the oldest are deleted beyond it. */
        @WithDefault("2147483648")
        long maxThumbnailBytes();

        /** Most captions kept across all cameras; the oldest are deleted beyond it. */
        @WithDefault("20000000")
        long maxCaptions();
    }

    /** The live caption stream (Server-Sent Events of what was just stored). */
    interface Live {

        /** Concurrent stream subscribers; one more gets 503 with Retry-After. */
        @WithDefault("200")
        int maxSubscribers();

        /**
         * Captions buffered per subscriber; a subscriber that falls further behind is disconnected (counted).
         * One ingest poll (up to ingest.max-poll-records) is stored, and streamed, at once.
         */
        @WithDefault("1024")
        int subscriberBuffer();

        /** Heartbeat events keep idle connections (and proxies) open. */
        @WithDefault("15s")
        Duration heartbeat();

        /** At most this many stored captions are replayed to a client that resumes with Last-Event-ID. */
        @WithDefault("500")
        int replayLimit();

        /**
         * How long the listener waits for a database notification before it looks for rows it may have
         * missed (a notification lost with a dropped connection) and, when the database is gone, reconnects.
         */
        @WithDefault("2s")
        Duration pollInterval();
    }
}
