package io.sightline.fallback.classify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One example query with its intent; lists of them are read from {@code intent<TAB>text} resources. */
public record LabelledQuery(QueryIntent intent, String text) {

    /** Reads a classpath resource: one {@code intent<TAB>text} per line, {@code #} comments and blank lines skipped. */
    public static List<LabelledQuery> load(String resource) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try (InputStream in = loader != null ? loader.getResourceAsStream(resource) : null) {
            InputStream stream = in != null ? in : LabelledQuery.class.getClassLoader().getResourceAsStream(resource);
            if (stream == null) {
                throw new IllegalStateException("classifier resource not found: " + resource);
            }
            List<LabelledQuery> queries = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                int number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    int tab = line.indexOf('\t');
                    if (tab < 0) {
                        throw new IllegalStateException(resource + ":" + number + " is not intent<TAB>text");
                    }
                    queries.add(new LabelledQuery(QueryIntent.fromWireName(line.substring(0, tab).trim()), line.substring(tab + 1).trim()));
                }
            }
            return List.copyOf(queries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
