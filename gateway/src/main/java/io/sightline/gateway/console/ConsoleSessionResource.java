package io.sightline.gateway.console;

import io.sightline.gateway.error.ApiError;
import io.sightline.gateway.security.ApiKey;
import io.sightline.gateway.security.ApiKeyRegistry;
import io.sightline.gateway.security.AuthFailureLimiter;
import io.sightline.gateway.security.ConsoleSessions;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.Optional;

/**
 * The console's sign-in: an API key is exchanged once for a sealed session cookie ({@link ConsoleSessions};
 * HttpOnly, SameSite=Strict, Secure over TLS), so the browser never keeps the key (not in a URL, not in storage).
 * The guard then accepts the cookie on every API route with the key's role, and requires the session's CSRF token
 * (answered here) on state-changing requests.
 */
@Path("/console/session")
@Tag(name = "console")
public class ConsoleSessionResource {

    /** Sign-in body. */
    public record SignIn(String key) {
    }

    /**
     * Who is signed in: the key's fingerprint and role, the CSRF token to send back, when the session ends, and (for
     * operators and admins, who may feed cameras) the Kafka bootstrap address for a push camera's kcat line.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SessionView(boolean signedIn, String keyId, String role, String csrfToken, Long expiresAt, String kafkaBootstrap) {
    }

    private final ApiKeyRegistry keys;
    private final ConsoleSessions sessions;
    private final AuthFailureLimiter authFailures;
    private final Optional<String> kafkaBootstrap;

    ConsoleSessionResource(ApiKeyRegistry keys, ConsoleSessions sessions, AuthFailureLimiter authFailures,
                           io.sightline.gateway.config.GatewayConfig config) {
        this.keys = keys;
        this.sessions = sessions;
        this.authFailures = authFailures;
        this.kafkaBootstrap = config.console().kafkaBootstrap().filter(b -> !b.isBlank());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sign in to the console with an API key: sets the session cookie, answers the CSRF token (open)")
    public Response signIn(SignIn body, @Context RoutingContext ctx) {
        String client = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
        Duration locked = authFailures.blockedFor(client);
        if (!locked.isZero()) {
            long seconds = Math.max(1, (locked.toMillis() + 999) / 1000);
            return error(new ApiError("too_many_failed_authentications", "Too many invalid API keys from this address; retry after "
                    + seconds + " s.", 429)).header("Retry-After", seconds).build();
        }
        String key = body == null || body.key() == null ? "" : body.key().strip();
        if (key.isEmpty()) {
            return error(new ApiError("bad_request", "Enter an API key.", 400)).build();
        }
        Optional<ApiKey> caller = keys.authenticate("Bearer " + key);
        if (caller.isEmpty()) {
            authFailures.failed(client);
            return error(new ApiError("unauthorized", "That API key is not valid.", 401)).build();
        }
        ConsoleSessions.Session session = sessions.open(ApiKeyRegistry.sha256(key));
        boolean secure = ctx.request().isSSL() || sessions.forceSecureCookie();
        return Response.ok(view(caller.get(), session), MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.SET_COOKIE, cookie(sessions.seal(session), sessions.ttl().toSeconds(), secure))
                .build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The signed-in caller and the session's CSRF token; signed_in false without a valid session (open)")
    public SessionView current(@Context RoutingContext ctx) {
        io.vertx.core.http.Cookie cookie = ctx.request().getCookie(ConsoleSessions.COOKIE);
        Optional<ConsoleSessions.Session> session = cookie == null ? Optional.empty() : sessions.unseal(cookie.getValue());
        Optional<ApiKey> key = session.flatMap(s -> keys.authenticateDigest(s.keyDigest()));
        if (key.isEmpty()) {
            return new SessionView(false, null, null, null, null, null);
        }
        return view(key.get(), session.get());
    }

    @DELETE
    @Operation(summary = "Sign out: clears the session cookie (role viewer, with the CSRF token)")
    public Response signOut(@Context RoutingContext ctx) {
        boolean secure = ctx.request().isSSL() || sessions.forceSecureCookie();
        return Response.noContent().header(HttpHeaders.SET_COOKIE, cookie("", 0, secure)).build();
    }

    private SessionView view(ApiKey key, ConsoleSessions.Session session) {
        return new SessionView(true, key.id(), key.role().wireName(), session == null ? null : session.csrf(),
                session == null ? null : session.expiresAt(),
                key.role().includes(io.sightline.gateway.security.Role.OPERATOR) ? kafkaBootstrap.orElse(null) : null);
    }

    private static String cookie(String value, long maxAgeSeconds, boolean secure) {
        return ConsoleSessions.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    private static Response.ResponseBuilder error(ApiError error) {
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(error);
    }
}
