package io.sightline.gateway.security;

import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which role each route needs and how large its body may be, in one table so it can be audited.
 * Health, the OpenAPI document and Swagger UI are open; everything else needs a key. Unlisted reads
 * need {@code viewer}, unlisted writes {@code admin} (deny by default).
 */
@ApplicationScoped
public class AccessPolicy {

    /**
     * What a request needs: {@code role} empty = open. {@code readsOwnBody}: the route enforces
     * {@code maxBodyBytes} on bodies without Content-Length itself (chat: its BodyHandler; frame push: streamed
     * to capture-service, counted as it streams); for every other route the guard reads such a body up to the
     * limit. {@code perKeyRateLimit} false where the route has a limit of its own (pushed frames are limited
     * per camera by the push route).
     */
    public record Rule(Optional<Role> role, long maxBodyBytes, boolean readsOwnBody, boolean perKeyRateLimit) {
        public Rule(Optional<Role> role, long maxBodyBytes) {
            this(role, maxBodyBytes, false, true);
        }

        public boolean open() {
            return role.isEmpty();
        }
    }

    private record Row(Set<String> methods, Pattern path, Rule rule) {
        Row(String methods, Pattern path, Rule rule) {
            this(Set.of(methods.split(",")), path, rule);
        }

        boolean matches(String method, String p) {
            return methods.contains(method) && path.matcher(p).matches();
        }
    }

    private static final Pattern CONSOLE_PAGE = Pattern.compile("/|/index\\.html|/console/[a-z0-9-]+\\.(js|css|svg|png)");

    /** The console's page and its static assets (served with the console's CSP). */
    public static boolean isConsolePage(String path) {
        return CONSOLE_PAGE.matcher(path).matches();
    }

    private final List<Row> rows;
    private final Rule defaultRead;
    private final Rule defaultWrite;

    AccessPolicy(GatewayConfig config) {
        long small = config.limits().smallBodyBytes();
        long chat = config.limits().chatBodyBytes();
        Rule open = new Rule(Optional.empty(), small);
        Rule viewer = new Rule(Optional.of(Role.VIEWER), small);
        Rule operator = new Rule(Optional.of(Role.OPERATOR), small);
        Rule admin = new Rule(Optional.of(Role.ADMIN), small);
        rows = List.of(
                new Row("GET,HEAD", Pattern.compile("/q/health(/.*)?"), open),
                new Row("GET,HEAD", Pattern.compile("/q/openapi(\\.json|\\.yaml)?"), open),
                new Row("GET,HEAD", Pattern.compile("/q/swagger-ui(/.*)?"), open),
                // the console's page and static assets are open (they hold no data); its data comes from the API below
                new Row("GET,HEAD", CONSOLE_PAGE, open),
                // sign-in checks the key itself (and counts failures); sign-out needs the session and its CSRF token
                // GET answers signed_in=false rather than 401, so the first screen makes no failing request
                new Row("GET,POST", Pattern.compile("/console/session"), open),
                new Row("DELETE", Pattern.compile("/console/session"), viewer),
                new Row("POST", Pattern.compile("/api/v1/query"), operator),
                new Row("POST", Pattern.compile("/api/v1/watch"), operator),
                new Row("DELETE", Pattern.compile("/api/v1/watch/[^/]+"), operator),
                new Row("POST", Pattern.compile("/api/v1/frames/[^/]+"), new Rule(Optional.of(Role.OPERATOR), config.limits().frameBodyBytes(), true, false)),
                new Row("POST", Pattern.compile("/v1/chat/completions"), new Rule(Optional.of(Role.OPERATOR), chat, true, true)),
                new Row("PUT,POST,DELETE,PATCH", Pattern.compile("/api/v1/cameras(/.*)?"), admin),
                new Row("POST", Pattern.compile("/api/v1/models/[^/]+/(start|stop)"), admin));
        defaultRead = viewer;
        defaultWrite = admin;
    }

    public Rule ruleFor(String method, String path) {
        for (Row row : rows) {
            if (row.matches(method, path)) {
                return row.rule();
            }
        }
        if (method.equals("OPTIONS")) {
            // CORS preflights carry no credentials by design; they reveal only allowed methods
            return new Rule(Optional.empty(), 0);
        }
        return method.equals("GET") || method.equals("HEAD") ? defaultRead : defaultWrite;
    }
}
