package io.sightline.history.rest;

/** A request that cannot be served as given; answered 400 with the message. */
class InvalidRequestException extends RuntimeException {

    InvalidRequestException(String message) {
        super(message);
    }
}
