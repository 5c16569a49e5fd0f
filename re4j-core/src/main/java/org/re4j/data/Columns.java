package org.re4j.data;

/**
 * Named columns of a delimited file with a header row. Each name may be given alone: a null one is found in the
 * header among the common names below, as when no column is named.
 *
 * @param user user column name; null: recognised ({@link #USER_NAMES})
 * @param item item column name; null: recognised ({@link #ITEM_NAMES})
 * @param time ordering column (numbers, or ISO-8601 dates and date-times); null: recognised ({@link #TIME_NAMES}),
 *     and the file order where the header has none of them; {@link #FILE_ORDER}: the file order, whatever the header
 */
public record Columns(String user, String item, String time) {

    /** The time column value that asks for the file order even where the header has a time-like column. */
    public static final String FILE_ORDER = "-";

    /** The names tried, case-insensitively, when the columns are not given. */
    static final String[] USER_NAMES = {"user_id", "userid", "user", "uid", "visitorid", "customer_id"};
    static final String[] ITEM_NAMES = {"item_id", "itemid", "item", "iid", "movie_id", "movieid", "product_id", "asin"};
    static final String[] TIME_NAMES = {"timestamp", "time", "ts", "datetime", "position", "rank"};
}
