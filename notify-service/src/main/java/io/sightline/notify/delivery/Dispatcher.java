package io.sightline.notify.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.security.SecretMasker;
import io.sightline.notify.channel.Channel;
import io.sightline.notify.channel.ChannelRegistry;
import io.sightline.notify.config.NotifyConfig;
import io.sightline.notify.sender.ChannelSender;
import io.sightline.notify.sender.Notice;
import io.sightline.notify.sender.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Delivers recorded notifications, one channel at a time, with retries.
 * <p>
 * The rules: a notification is first recorded as pending for every channel it goes to ({@link #accept}, before
 * the consumer commits its offset), so nothing read is lost. Each attempt's result is recorded (acknowledged)
 * before the next step; a delivery recorded as delivered is never attempted again, so a receiver sees the same
 * notification again only on a retry of an attempt whose result was not recorded (a timeout, a crash in
 * between), always with the same idempotency key (the notification id). Retryable failures wait
 * {@code initial-backoff * 2^(attempt-1)} (capped, with jitter); after {@code give-up-after} since the first
 * attempt, or on a final refusal (4xx, refused destination), the notification goes to notifications.dlq with
 * the reason and the delivery is failed. At most {@code max-concurrency} attempts run at once per destination.
 */
@ApplicationScoped
public class Dispatcher {

    private static final int LOCKS = 64;

    private final StateStore store;
    private final ChannelRegistry channels;
    private final DeadLetters deadLetters;
    private final Map<String, ChannelSender> senders;
    private final NotifyConfig.Delivery config;
    private final Optional<String> publicBaseUrl;
    private final MeterRegistry registry;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService executor;
    private final Map<String, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> limits = new ConcurrentHashMap<>();
    private final Object[] locks = new Object[LOCKS];
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();

    Dispatcher(StateStore store, ChannelRegistry channels, DeadLetters deadLetters, Instance<ChannelSender> senders,
               NotifyConfig config, MeterRegistry registry) {
        this.store = store;
        this.channels = channels;
        this.deadLetters = deadLetters;
        this.senders = senders.stream().collect(Collectors.toMap(s -> s.type().wire(), s -> s));
        this.config = config.delivery();
        this.publicBaseUrl = config.publicBaseUrl().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        this.registry = registry;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newScheduledThreadPool(config.delivery().workers(), r -> {
            Thread t = new Thread(r, "notify-delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }

    /**
     * Records a notification read from {@code partition} as pending for its channels (or finds it already
     * recorded: a replay) and schedules its deliveries. Returns once the state is acknowledged.
     */
    public void accept(NotificationRaised n, int partition) {
        Optional<NotificationState> known = store.get(n.notificationId());
        if (known.isPresent()) {
            schedulePending(known.get());
            return;
        }
        List<String> names = n.channels() == null || n.channels().isEmpty()
                ? channels.defaults().stream().map(Channel::name).toList()
                : n.channels().stream().distinct().toList();
        List<ChannelDelivery> deliveries = new ArrayList<>();
        for (String name : names) {
            String type = channels.get(name).map(Channel::type).orElse("unknown");
            deliveries.add(new ChannelDelivery(name, type, DeliveryState.PENDING, 0, null, null, null));
        }
        NotificationState state = new NotificationState(n, deliveries, partition, 0, clock.millis());
        if (deliveries.isEmpty()) {
            deadLetters.gaveUp(n, n.notificationId(), "", "", 0,
                    "no channel: the notification names none and no default channel is configured");
        }
        store.write(state);
        Log.infof("notification %s (job %s, camera %s) pending for %s", n.notificationId(), n.jobId(), n.camera(),
                names.isEmpty() ? "no channel" : String.join(", ", names));
        schedulePending(state);
    }

    /** This replica now owns these partitions of notifications: resume what is pending there. */
    public void resume(Set<Integer> partitions) {
        owned.addAll(partitions);
        List<NotificationState> pending = store.pendingOf(partitions);
        if (!pending.isEmpty()) {
            Log.infof("resuming %d pending notifications of partitions %s", pending.size(), partitions);
        }
        pending.forEach(this::schedulePending);
    }

    /** Another replica takes these partitions over: stop retrying their deliveries here. */
    public void suspend(Set<Integer> partitions) {
        owned.removeAll(partitions);
        scheduled.entrySet().removeIf(e -> {
            String id = e.getKey().substring(0, e.getKey().indexOf('/'));
            boolean revoked = store.get(id).map(s -> partitions.contains(s.partition())).orElse(false);
            if (revoked) {
                e.getValue().cancel(false);
            }
            return revoked;
        });
    }

    /** One attempt to a channel, outside the state and retries: the channel test route. */
    public Outcome test(Channel channel) {
        long now = clock.millis();
        NotificationRaised n = new NotificationRaised(NotificationRaised.SCHEMA, java.util.UUID.randomUUID().toString(), "test",
                "test", "test notification", "This is a test notification from Sightline.", null, null, null, List.of(), now);
        ChannelSender sender = senders.get(channel.type());
        Outcome outcome = sender.send(channel, Notice.of(n, thumbnail(n), channel.name(), true));
        count(channel.name(), channel.type(), outcome.kind() == Outcome.Kind.DELIVERED ? "delivered" : "test_failed");
        return outcome;
    }

    private void schedulePending(NotificationState state) {
        for (ChannelDelivery d : state.deliveries()) {
            if (d.state() == DeliveryState.PENDING) {
                schedule(state.id(), d.channel(), 0);
            }
        }
    }

    private void schedule(String id, String channel, long delayMs) {
        String key = id + "/" + channel;
        scheduled.compute(key, (k, old) -> {
            if (old != null && !old.isDone() && delayMs == 0) {
                return old;
            }
            if (old != null) {
                old.cancel(false);
            }
            return executor.schedule(() -> attempt(id, channel), delayMs, TimeUnit.MILLISECONDS);
        });
    }

    private void attempt(String id, String channelName) {
        try {
            attemptOnce(id, channelName);
        } catch (StateStore.StateUnavailableException e) {
            Log.warnf("notification %s to %s: result not recorded (%s); trying again", id, channelName, e.getMessage());
            reschedule(id, channelName, config.initialBackoff().toMillis());
        } catch (RuntimeException e) {
            Log.errorf(e, "notification %s to %s: attempt failed unexpectedly", id, channelName);
            reschedule(id, channelName, config.initialBackoff().toMillis());
        }
    }

    private void reschedule(String id, String channel, long delayMs) {
        String key = id + "/" + channel;
        scheduled.remove(key);
        if (executor.isShutdown()) {
            return;
        }
        scheduled.put(key, executor.schedule(() -> attempt(id, channel), delayMs, TimeUnit.MILLISECONDS));
    }

    private void attemptOnce(String id, String channelName) {
        NotificationState state = store.get(id).orElse(null);
        ChannelDelivery d = state == null ? null : state.delivery(channelName);
        if (d == null || d.state() != DeliveryState.PENDING) {
            scheduled.remove(id + "/" + channelName);
            return;
        }
        if (!owned.contains(state.partition())) {
            scheduled.remove(id + "/" + channelName);
            return;
        }
        long now = clock.millis();
        Optional<Channel> configured = channels.get(channelName);
        if (configured.isEmpty()) {
            fail(id, channelName, "no channel named '" + channelName + "' is configured");
            return;
        }
        Channel channel = configured.get();
        ChannelSender sender = senders.get(channel.type());
        if (d.firstAttemptAt() != null && now >= d.firstAttemptAt() + config.giveUpAfter().toMillis()) {
            fail(id, channelName, "gave up after " + config.giveUpAfter() + ": " + d.lastError());
            return;
        }
        Semaphore limit = limits.computeIfAbsent(sender.destination(channel),
                k -> new Semaphore(sender.maxConcurrency(channel, config.maxConcurrencyPerDestination())));
        if (!limit.tryAcquire()) {
            reschedule(id, channelName, 50); // the destination has its limit of attempts in flight: wait for a slot
            return;
        }
        Outcome outcome;
        Timer.Sample sample = Timer.start(registry);
        try {
            outcome = sender.send(channel, Notice.of(state.notification(), thumbnail(state.notification()), channelName, false));
        } finally {
            limit.release();
            sample.stop(registry.timer("sightline.notify.attempt.duration", "channel", channelName, "type", channel.type()));
        }
        long done = clock.millis();
        switch (outcome.kind()) {
            case DELIVERED -> {
                update(id, channelName, x -> x.attempted(done, null, DeliveryState.DELIVERED));
                scheduled.remove(id + "/" + channelName);
                count(channelName, channel.type(), "delivered");
                registry.timer("sightline.notify.delivery.latency", "channel", channelName, "type", channel.type())
                        .record(Duration.ofMillis(Math.max(0, done - state.notification().at())));
                Log.infof("notification %s delivered to %s (%s) at attempt %d", id, channelName, channel.type(), d.attempts() + 1);
            }
            case PERMANENT -> {
                count(channelName, channel.type(), "refused");
                fail(id, channelName, outcome.error(), d.attempts() + 1);
            }
            case RETRY -> {
                count(channelName, channel.type(), "retry");
                long first = d.firstAttemptAt() == null ? now : d.firstAttemptAt();
                long deadline = first + config.giveUpAfter().toMillis();
                if (done >= deadline) {
                    fail(id, channelName, "gave up after " + config.giveUpAfter() + " and " + (d.attempts() + 1) + " attempts: "
                            + outcome.error(), d.attempts() + 1);
                    return;
                }
                ChannelDelivery next = update(id, channelName, x -> x.attempted(done, SecretMasker.mask(outcome.error()), DeliveryState.PENDING));
                long delay = Math.min(backoff(next.attempts()), deadline - done);
                Log.infof("notification %s to %s: attempt %d failed (%s); next in %d ms", id, channelName, next.attempts(),
                        SecretMasker.mask(outcome.error()), delay);
                reschedule(id, channelName, Math.max(0, delay));
            }
        }
    }

    private void fail(String id, String channelName, String reason) {
        fail(id, channelName, reason, -1);
    }

    /** Dead letter first (acknowledged), then the failed state: a crash in between dead-letters twice, never not at all. */
    private void fail(String id, String channelName, String reason, int attemptsNow) {
        NotificationState state = store.get(id).orElseThrow();
        ChannelDelivery d = state.delivery(channelName);
        int attempts = attemptsNow < 0 ? d.attempts() : attemptsNow;
        String masked = SecretMasker.mask(reason);
        deadLetters.gaveUp(state.notification(), id, channelName, d.type(), attempts, masked);
        long now = clock.millis();
        update(id, channelName, x -> attemptsNow < 0 ? x.gaveUp(now, masked) : x.attempted(now, masked, DeliveryState.FAILED));
        scheduled.remove(id + "/" + channelName);
        registry.counter("sightline.notify.deliveries", "channel", channelName, "type", d.type(), "outcome", "failed").increment();
    }

    /** Read-modify-write of one delivery under the notification's lock (two channels of one notification race). */
    private ChannelDelivery update(String id, String channel, java.util.function.UnaryOperator<ChannelDelivery> change) {
        synchronized (locks[Math.floorMod(id.hashCode(), LOCKS)]) {
            NotificationState current = store.get(id).orElseThrow();
            ChannelDelivery next = change.apply(current.delivery(channel));
            store.write(current.with(next, clock.millis()));
            return next;
        }
    }

    private void count(String channel, String type, String outcome) {
        registry.counter("sightline.notify.attempts", "channel", channel, "type", type, "outcome", outcome).increment();
        if (outcome.equals("delivered")) {
            registry.counter("sightline.notify.deliveries", "channel", channel, "type", type, "outcome", "delivered").increment();
        }
    }

    long backoff(int attempts) {
        double base = config.initialBackoff().toMillis() * Math.pow(2, Math.max(0, attempts - 1));
        double capped = Math.min(base, config.maxBackoff().toMillis());
        double jitter = Math.max(0, Math.min(1, config.jitter()));
        return (long) (capped * (1 - jitter * ThreadLocalRandom.current().nextDouble()));
    }

    /** The notification's thumbnail URL, else one built from the public base URL: the frame's thumbnail, else the camera's latest frame. */
    public String thumbnailOf(NotificationRaised n) {
        return thumbnail(n);
    }

    String thumbnail(NotificationRaised n) {
        if (n.thumbnailUrl() != null && !n.thumbnailUrl().isBlank()) {
            return n.thumbnailUrl();
        }
        if (publicBaseUrl.isEmpty()) {
            return null;
        }
        if (n.frameId() != null && !n.frameId().isBlank()) {
            return publicBaseUrl.get() + "/api/v1/history/frames/" + URLEncoder.encode(n.frameId(), StandardCharsets.UTF_8) + "/thumbnail.jpg";
        }
        return publicBaseUrl.get() + "/api/v1/cameras/" + URLEncoder.encode(n.camera(), StandardCharsets.UTF_8) + "/frame.jpg";
    }
}
