package io.sightline.history.store;

import java.sql.SQLException;

/** The database did not answer a read (down, or out of connections); answered 503. */
public class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(SQLException cause) {
        super("the history database is unavailable: " + cause.getMessage(), cause);
    }
}
