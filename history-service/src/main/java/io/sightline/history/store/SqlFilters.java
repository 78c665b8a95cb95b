package io.sightline.history.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** The SQL rendering of a {@link Filter} for other packages' queries (search). Placeholders only. */
public final class SqlFilters {

    private SqlFilters() {
    }

    public static String onCaptions(Filter filter, String alias, List<Object> params) {
        return filter.onCaptions(alias, params);
    }

    public static void bind(PreparedStatement ps, List<?> params) throws SQLException {
        HistoryQueries.bind(ps, params);
    }
}
