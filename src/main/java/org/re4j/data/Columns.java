package org.re4j.data;

/**
 * Named columns of a delimited file with a header row.
 *
 * @param user user column name
 * @param item item column name
 * @param time ordering column (numeric); null keeps the file order
 */
public record Columns(String user, String item, String time) {

    /** The names tried, case-insensitively, when the columns are not given. */
    static final String[] USER_NAMES = {"user_id", "userid", "user", "uid", "visitorid", "customer_id"};
    static final String[] ITEM_NAMES = {"item_id", "itemid", "item", "iid", "movie_id", "movieid", "product_id", "asin"};
    static final String[] TIME_NAMES = {"timestamp", "time", "ts", "datetime", "position", "rank"};
}
