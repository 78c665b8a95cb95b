package io.sightline.history.rest;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Parsing and checking of query parameters; every failure is a 400 with a sentence saying what is wrong. */
final class Params {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9 _-]{0,63}");

    private Params() {
    }

    static Optional<String> camera(String camera) {
        if (camera == null || camera.isBlank()) {
            return Optional.empty();
        }
        if (!ID.matcher(camera).matches()) {
            throw new InvalidRequestException("camera must be 1-128 letters, digits, '.', '_' or '-', was '" + clip(camera) + "'");
        }
        return Optional.of(camera);
    }

    static Optional<String> label(String label) {
        if (label == null || label.isBlank()) {
            return Optional.empty();
        }
        String l = label.trim().toLowerCase();
        if (!LABEL.matcher(l).matches()) {
            throw new InvalidRequestException("label must be a plain word such as 'car' or 'person', was '" + clip(label) + "'");
        }
        return Optional.of(l);
    }

    static Optional<Long> time(String text, String name) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String value = text.trim();
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Optional.of(Long.parseLong(value));
            }
            try {
                return Optional.of(Instant.parse(value).toEpochMilli());
            } catch (DateTimeParseException e) {
                return Optional.of(OffsetDateTime.parse(value).toInstant().toEpochMilli());
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new InvalidRequestException(name + " must be ISO-8601 (e.g. 2026-05-01T12:00:00Z) or epoch milliseconds, was '"
                    + clip(value) + "'");
        }
    }

    static void range(Optional<Long> since, Optional<Long> until) {
        if (since.isPresent() && until.isPresent() && since.get() > until.get()) {
            throw new InvalidRequestException("since (" + Instant.ofEpochMilli(since.get()) + ") is after until ("
                    + Instant.ofEpochMilli(until.get()) + ")");
        }
    }

    static int limit(String limit, int defaultLimit, int max) {
        if (limit == null || limit.isBlank()) {
            return defaultLimit;
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException("limit must be a whole number from 1 to " + max + ", was '" + clip(limit) + "'");
    }

    static ZoneId zone(String zone) {
        if (zone == null || zone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(zone.trim());
        } catch (DateTimeException e) {
            throw new InvalidRequestException("zone must be a time zone id such as Europe/Berlin or UTC, was '" + clip(zone) + "'");
        }
    }

    static UUID frameId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("frame_id must be a UUID, was '" + clip(id) + "'");
        }
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
