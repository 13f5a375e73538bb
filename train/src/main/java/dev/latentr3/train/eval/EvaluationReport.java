package dev.latentr3.train.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outcome of an evaluation: the metrics, per-row latency, the settings that produced them and every row. */
public record EvaluationReport(RankingMetrics.Result metrics, LatencyStats latency, EvaluationOptions options,
                               int maxNewTokens, List<RowPrediction> rows) {
    public EvaluationReport {
        rows = List.copyOf(rows);
    }

    /** The summary as a JSON object (rows left out; they go to the predictions file). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", metrics.rows());
        m.put("style", options.style().name());
        m.put("length_penalty", options.style().lengthPenalty());
        m.put("num_beams", options.numBeams());
        m.put("batch_size", options.batchSize());
        m.put("max_new_tokens", maxNewTokens);
        Map<String, Object> hr = new LinkedHashMap<>(), ndcg = new LinkedHashMap<>();
        metrics.hitRate().forEach((k, v) -> hr.put("HR@" + k, v));
        metrics.ndcg().forEach((k, v) -> ndcg.put("NDCG@" + k, v));
        m.put("hit_rate", hr);
        m.put("ndcg", ndcg);
        m.put("predictions", metrics.predictions());
        m.put("not_in_catalogue", metrics.notInCatalogue());
        m.put("rows_where_first_match_is_earlier", metrics.rowsWhereFirstMatchIsEarlier());
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("mean_ms", latency.meanMillis());
        lat.put("p50_ms", latency.p50Millis());
        lat.put("p95_ms", latency.p95Millis());
        m.put("latency_per_row", lat);
        return m;
    }
}
