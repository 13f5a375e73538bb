package dev.latentr3.train.dataset;

import java.util.List;

/**
 * One row of the processed data: a user's recent items (oldest first) and the item that came next. Mirrors the
 * columns of the reference CSV format, so reading and writing a file loses nothing.
 *
 * @param userId            the reviewer id
 * @param historyAsins      the history items' ASINs (Amazon ids), oldest first
 * @param targetAsin        the next item's ASIN
 * @param historyItemIds    the history items' catalog ids
 * @param targetItemId      the next item's catalog id
 * @param historyTitles     the history items' titles
 * @param targetTitle       the next item's title
 * @param historyRatings    the ratings the user gave the history items
 * @param targetRating      the rating the user gave the next item
 * @param historyTimestamps when the user reviewed the history items (Unix seconds)
 * @param targetTimestamp   when the user reviewed the next item (Unix seconds)
 */
public record Interaction(
        String userId,
        List<String> historyAsins,
        String targetAsin,
        List<Integer> historyItemIds,
        int targetItemId,
        List<String> historyTitles,
        String targetTitle,
        List<Double> historyRatings,
        double targetRating,
        List<Long> historyTimestamps,
        long targetTimestamp) {

    /** The CSV header, in column order. */
    public static final List<String> COLUMNS = List.of("user_id", "item_asins", "item_asin", "history_item_id",
            "item_id", "history_item_title", "item_title", "history_rating", "rating", "history_timestamp", "timestamp");

    public Interaction {
        historyAsins = List.copyOf(historyAsins);
        historyItemIds = List.copyOf(historyItemIds);
        historyTitles = List.copyOf(historyTitles);
        historyRatings = List.copyOf(historyRatings);
        historyTimestamps = List.copyOf(historyTimestamps);
        int n = historyItemIds.size();
        if (n == 0) throw new IllegalArgumentException("user " + userId + ": the history is empty; expected at least one item");
        if (historyAsins.size() != n || historyTitles.size() != n || historyRatings.size() != n || historyTimestamps.size() != n) {
            throw new IllegalArgumentException("user " + userId + ": history lists differ in length (asins "
                    + historyAsins.size() + ", ids " + n + ", titles " + historyTitles.size() + ", ratings "
                    + historyRatings.size() + ", timestamps " + historyTimestamps.size() + "); expected equal lengths");
        }
    }

    public int historyLength() {
        return historyItemIds.size();
    }
}
