package io.sightline.fallback.rest;

/** A request body that parses but cannot be served as given; answered 400 with the message. */
class InvalidRequestException extends RuntimeException {

    InvalidRequestException(String message) {
        super(message);
    }
}
