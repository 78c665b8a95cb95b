package io.sightline.fallback.rest;

/** JSON body of a refused request: a stable code and a sentence for people. */
public record ErrorBody(String error, String message) {
}
