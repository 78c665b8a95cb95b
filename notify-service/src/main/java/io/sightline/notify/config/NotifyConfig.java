package io.sightline.notify.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Every setting of notify-service, under {@code sightline.notify}. */
@ConfigMapping(prefix = "sightline.notify")
public interface NotifyConfig {

    /**
     * Public base URL of the gateway (e.g. https://sightline.example.org), used to build a thumbnail URL when a
     * notification carries none: the history thumbnail of its frame, else the camera's latest frame. Unset: no URL.
     */
    Optional<String> publicBaseUrl();

    Consumer consumer();

    Delivery delivery();

    Mqtt mqtt();

    /** The consumer of {@code notifications}. */
    interface Consumer {
        /** Consumer group of the notifications consumer. */
        @WithDefault("notify-service")
        String groupId();

        /** Static group membership id (one per replica), so a restarted replica gets its partitions back at once. */
        Optional<String> instanceId();

        /** Consumer session timeout. */
        @WithDefault("PT10S")
        Duration sessionTimeout();

        /** How long one poll waits for records. */
        @WithDefault("PT0.5S")
        Duration pollTimeout();

        /** Records per poll; each is recorded as pending (acknowledged) before the poll's offsets are committed. */
        @WithDefault("100")
        int maxPollRecords();

        /** Back-off after a poll could not be recorded (state topic unavailable): the poll is read again. */
        @WithDefault("PT1S")
        Duration retryBackoff();
    }

    /** Retries, timeouts and limits shared by every channel. */
    interface Delivery {
        /** After this long since the first attempt a delivery is given up: state failed, the notification to notifications.dlq. */
        @WithDefault("PT1H")
        Duration giveUpAfter();

        /** Delay before the first retry; doubled per attempt up to max-backoff, with jitter. */
        @WithDefault("PT1S")
        Duration initialBackoff();

        /** Longest delay between two attempts. */
        @WithDefault("PT5M")
        Duration maxBackoff();

        /** Random share of each delay (0..1): 0.3 waits between 70 % and 100 % of the computed delay. */
        @WithDefault("0.3")
        double jitter();

        /** Whole-request timeout of a webhook or ntfy POST (connect, send, answer); a receiver that hangs is retried. */
        @WithDefault("PT10S")
        Duration requestTimeout();

        /** TCP connect timeout of webhook, ntfy and MQTT connections. */
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Default attempts in flight at once per destination (host:port); a webhook channel may set max_concurrency. */
        @WithDefault("4")
        int maxConcurrencyPerDestination();

        /** Threads that run delivery attempts (blocking, bounded by the timeouts above). */
        @WithDefault("8")
        int workers();
    }

    /** MQTT channels. */
    interface Mqtt {
        /** Longest wait for a QoS 1 publish's PUBACK; longer counts as a failed attempt (retried). */
        @WithDefault("PT10S")
        Duration publishTimeout();

        /** MQTT keep-alive interval. */
        @WithDefault("PT30S")
        Duration keepAlive();
    }
}
