package io.sightline.history.live;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.common.event.CaptionProduced;
import io.sightline.history.config.HistoryConfig;
import io.sightline.history.store.DatabaseUnavailableException;
import io.sightline.history.store.HistoryQueries;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The live caption stream: what was just <em>stored</em>, so every replica serves every camera (each
 * ingests only its partitions, but they share the database) and a client that reconnects resumes from
 * its last event id without losing what it missed.
 * <p>
 * One thread holds a database connection that {@code LISTEN}s on {@code sightline_captions}; the insert
 * trigger (V2 migration) notifies the sequence range of each stored batch when its transaction commits,
 * and the thread reads that range and fans it out. Every {@code live.poll-interval} without a
 * notification it also reads anything after the last sequence it saw (covering a notification lost with
 * a dropped connection) — which doubles as the check that the connection still works; a broken one is
 * replaced. Rows of concurrent transactions can interleave inside a range, so the last few thousand
 * sequence numbers sent are remembered and never sent twice.
 */
@ApplicationScoped
public class LiveCaptionFeed {

    public static final String CHANNEL = "sightline_captions";

    /** What a subscriber receives: a stored caption (with its sequence number), or a heartbeat. */
    public sealed interface Item permits Caption, Heartbeat {
    }

    public record Caption(long seq, CaptionProduced caption) implements Item {
    }

    public record Heartbeat(long at) implements Item {
    }

    /** More subscribers than {@code live.max-subscribers}. */
    public static final class TooManySubscribers extends RuntimeException {
        TooManySubscribers(int max) {
            super("history-service already serves " + max + " live caption streams; retry later");
        }
    }

    private static final int FETCH = 500;
    private static final int REMEMBERED = 8192;

    private final AgroalDataSource dataSource;
    private final HistoryQueries queries;
    private final HistoryConfig.Live config;
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private final Set<Long> sent = new LinkedHashSet<>();
    private final Counter delivered;
    private final Counter overflows;
    private final Counter reconnects;
    private volatile long lastSeq = -1;
    private volatile boolean listening;
    private volatile boolean running;
    private Thread thread;

    LiveCaptionFeed(AgroalDataSource dataSource, HistoryQueries queries, HistoryConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.queries = queries;
        this.config = config.live();
        this.delivered = Counter.builder("sightline.history.live.captions")
                .description("stored captions fanned out to live subscribers (once per caption, not per subscriber)")
                .register(registry);
        this.overflows = Counter.builder("sightline.history.live.overflows")
                .description("live subscribers disconnected because they fell subscriber-buffer captions behind").register(registry);
        this.reconnects = Counter.builder("sightline.history.live.reconnects")
                .description("times the listening database connection was lost and had to be opened again").register(registry);
        Gauge.builder("sightline.history.live.subscribers", subscribers, List::size).register(registry);
        Gauge.builder("sightline.history.live.listening", this, f -> f.listening ? 1 : 0)
                .description("1 while the feed listens for stored captions").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "history-live");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        subscribers.forEach(Subscription::complete);
    }

    public boolean listening() {
        return listening;
    }

    public int subscribers() {
        return subscribers.size();
    }

    /**
     * Captions stored from now on (of one camera, or all), preceded — when {@code after} is given, the
     * Last-Event-ID of a reconnecting client — by the stored ones after it (at most {@code live.replay-limit}),
     * interleaved with heartbeats.
     */
    public Multi<Item> subscribe(Optional<String> camera, OptionalLong after) {
        if (subscribers.size() >= config.maxSubscribers()) {
            throw new TooManySubscribers(config.maxSubscribers());
        }
        Multi<Item> captions = Multi.createFrom().<Item>emitter(emitter -> {
                    Subscription s = new Subscription(camera, emitter, after.isPresent());
                    subscribers.add(s);
                    emitter.onTermination(() -> subscribers.remove(s));
                    if (after.isPresent()) {
                        Infrastructure.getDefaultWorkerPool().execute(() -> {
                            try {
                                s.replayed(queries.captionsBySeq(after.getAsLong() + 1, Long.MAX_VALUE, camera, config.replayLimit()));
                            } catch (RuntimeException e) {
                                emitter.fail(e);
                            }
                        });
                    }
                }, BackPressureStrategy.ERROR)
                .onOverflow().buffer(config.subscriberBuffer())
                .onFailure().invoke(f -> {
                    if (!(f instanceof DatabaseUnavailableException)) {
                        overflows.increment();
                    }
                });
        Multi<Item> heartbeats = Multi.createFrom().ticks().every(config.heartbeat())
                .onOverflow().drop()
                .map(tick -> new Heartbeat(System.currentTimeMillis()));
        return Multi.createBy().merging().streams(captions, heartbeats);
    }

    private void run() {
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                if (lastSeq < 0) {
                    lastSeq = queries.lastCaptionSeq(); // a fresh start streams from now on
                } else {
                    catchUp(); // what was stored while the connection was down
                }
                listening = true;
                while (running) {
                    PGNotification[] notifications = pg.getNotifications((int) config.pollInterval().toMillis());
                    if (notifications == null || notifications.length == 0) {
                        catchUp();
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        stored(n.getParameter());
                    }
                }
            } catch (SQLException | DatabaseUnavailableException e) {
                if (!running) {
                    return;
                }
                if (listening) {
                    reconnects.increment();
                    Log.warnf("live caption feed lost the database (%s); reconnecting every %s", e.getMessage(), config.pollInterval());
                }
                listening = false;
                LockSupport.parkNanos(config.pollInterval().toNanos());
            } catch (RuntimeException e) {
                Log.errorf(e, "live caption feed failed: %s", e.getMessage());
                listening = false;
                LockSupport.parkNanos(config.pollInterval().toNanos());
            }
        }
        listening = false;
    }

    /** A notification "min:max": the sequence range one committed insert stored. */
    private void stored(String range) {
        int colon = range == null ? -1 : range.indexOf(':');
        if (colon < 0) {
            catchUp();
            return;
        }
        long lo = Long.parseLong(range.substring(0, colon));
        long hi = Long.parseLong(range.substring(colon + 1));
        if (subscribers.isEmpty()) {
            lastSeq = Math.max(lastSeq, hi); // nobody listens: no need to read the rows
            return;
        }
        fetch(lo, hi);
    }

    private void catchUp() {
        if (subscribers.isEmpty()) {
            lastSeq = Math.max(lastSeq, queries.lastCaptionSeq());
            return;
        }
        fetch(lastSeq + 1, Long.MAX_VALUE);
    }

    private void fetch(long from, long to) {
        long next = from;
        while (next <= to) {
            List<HistoryQueries.SequencedCaption> rows = queries.captionsBySeq(next, to, Optional.empty(), FETCH);
            for (HistoryQueries.SequencedCaption row : rows) {
                fanOut(row);
            }
            if (rows.size() < FETCH) {
                return;
            }
            next = rows.get(rows.size() - 1).seq() + 1;
        }
    }

    private void fanOut(HistoryQueries.SequencedCaption row) {
        if (!remember(row.seq())) {
            return;
        }
        lastSeq = Math.max(lastSeq, row.seq());
        delivered.increment();
        Caption caption = new Caption(row.seq(), row.caption());
        for (Subscription s : subscribers) {
            s.offer(caption);
        }
    }

    /** True the first time a sequence number is seen (among the last {@value #REMEMBERED}). */
    private boolean remember(long seq) {
        if (!sent.add(seq)) {
            return false;
        }
        if (sent.size() > REMEMBERED) {
            var it = sent.iterator();
            it.next();
            it.remove();
        }
        return true;
    }

    /** One subscriber: while its replay is read, live captions wait (bounded), then go after the replay. */
    private final class Subscription {

        private final Optional<String> camera;
        private final MultiEmitter<? super Item> emitter;
        private List<Caption> pending;

        Subscription(Optional<String> camera, MultiEmitter<? super Item> emitter, boolean replaying) {
            this.camera = camera;
            this.emitter = emitter;
            this.pending = replaying ? new ArrayList<>() : null;
        }

        synchronized void offer(Caption caption) {
            if (camera.isPresent() && !camera.get().equals(caption.caption().camera())) {
                return;
            }
            if (pending == null) {
                emitter.emit(caption);
            } else if (pending.size() < config.subscriberBuffer()) {
                pending.add(caption);
            } else {
                emitter.fail(new IllegalStateException("fell behind while its replay was read"));
            }
        }

        synchronized void replayed(List<HistoryQueries.SequencedCaption> rows) {
            Set<Long> replayed = new HashSet<>();
            for (HistoryQueries.SequencedCaption row : rows) {
                replayed.add(row.seq());
                emitter.emit(new Caption(row.seq(), row.caption()));
            }
            for (Caption c : pending) {
                if (!replayed.contains(c.seq())) {
                    emitter.emit(c);
                }
            }
            pending = null;
        }

        void complete() {
            emitter.complete();
        }
    }
}
