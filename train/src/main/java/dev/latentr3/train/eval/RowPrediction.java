package dev.latentr3.train.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One test row's outcome, one line of the predictions file.
 *
 * @param user         the row's user id (a user can have several test rows)
 * @param target       the target title as in the test file
 * @param targetItemId the target's item id
 * @param predictions  the decoded titles, best beam first, after the reference's stripping
 * @param itemIds      each beam's catalogue items (all items with its title; empty for a beam off the catalogue)
 * @param scores       each beam's length-penalised score, in the same order
 * @param rank         0-based index of the last prediction equal to the target, -1 for none
 * @param millis       the row's share of its batch's wall time
 */
public record RowPrediction(String user, String target, int targetItemId, List<String> predictions,
                            List<List<Integer>> itemIds, List<Double> scores,
                            int rank, double millis) {
    public RowPrediction {
        predictions = List.copyOf(predictions);
        itemIds = itemIds.stream().map(List::copyOf).toList();
        scores = List.copyOf(scores);
    }

    /** The JSON object of the predictions file; rank is null when the target was not predicted. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", user);
        m.put("target", target);
        m.put("target_item_id", targetItemId);
        m.put("predictions", predictions);
        m.put("prediction_item_ids", itemIds);
        m.put("scores", scores);
        m.put("rank", rank >= 0 ? (Object) rank : dev.latentr3.model.json.Json.NULL);
        m.put("millis", millis);
        return m;
    }
}
