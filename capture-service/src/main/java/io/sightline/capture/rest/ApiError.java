package io.sightline.capture.rest;

/** Body of every error answer: {@code {"error":"not_an_image","message":"...","status":400}}. */
public record ApiError(String error, String message, int status) {
}
