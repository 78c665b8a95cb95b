package io.sightline.common.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import java.util.stream.Collectors;

/**
 * Body of every error answer of every service: {@code {"error":"not_an_image","message":"...","status":400}}.
 * {@code error} is a stable code for programs, {@code message} a sentence for people.
 */
public record ErrorBody(String error, String message, int status) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The 400 for a body Jackson could not read, naming the problem and where it is. */
    public static ErrorBody malformedJson(JsonProcessingException e) {
        return new ErrorBody("malformed_json", describe(e), 400);
    }

    /**
     * "malformed JSON at line 1, column 12: Unexpected character ('}' ...)" or, for a well-formed body of the
     * wrong shape, "invalid JSON at field 'source.fps': Cannot deserialize value of type `double` from String ...".
     */
    public static String describe(JsonProcessingException e) {
        Throwable cause = e instanceof ValueInstantiationException && e.getCause() != null ? e.getCause() : e;
        String problem = cause instanceof JsonProcessingException json ? json.getOriginalMessage() : cause.getMessage();
        problem = problem == null ? e.getClass().getSimpleName() : firstLine(problem);
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return "invalid JSON at field '" + field + "': " + problem;
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            return "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + problem;
        }
        return "malformed JSON: " + problem;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
