package io.sightline.history.rest;

/** JSON body of a refused request: a stable code and a sentence for people. */
public record ErrorBody(String error, String message) {
}
