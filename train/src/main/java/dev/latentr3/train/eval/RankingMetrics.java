package dev.latentr3.train.eval;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference's metrics (method doc §7, {@code calc.py}), accumulated row by row. Every predicted title and the
 * target are compared after {@link #strip}; a row's rank is the 0-based index of the <em>last</em> prediction equal
 * to the target, and with one relevant item HR@K = 1[rank &lt; K] and NDCG@K = 1 / log2(rank + 2) if rank &lt; K
 * else 0, both averaged over all rows (a row without a match counts 0).
 *
 * <p>Why "last" and whether "first" would be better: the usual definition of a ranked list's hit position is the
 * first match, and with several matching beams "last" gives a worse rank than the model earned. The reference's
 * choice looks like an artefact (a loop that keeps overwriting the rank on every match, derived). Under constrained
 * beam search it almost never matters: duplicate titles share one trie path, so the beams are distinct titles and at
 * most one can match, unless two titles differ only in what {@link #strip} removes or tokenize alike. It matters for
 * unconstrained decoding, which can repeat a title. We keep "last" for comparability and count the rows where the
 * first match came earlier ({@link Result#rowsWhereFirstMatchIsEarlier}) so any effect is visible.
 */
public final class RankingMetrics {
    /** The cutoffs the reference script reports (the paper reports 5 and 10; with 10 beams @20 equals @10). */
    public static final List<Integer> CUTOFFS = List.of(1, 3, 5, 10, 20);

    private final Set<String> catalogueTitles;
    private final double[] hits = new double[CUTOFFS.size()];
    private final double[] ndcg = new double[CUTOFFS.size()];
    private int rows;
    private long predictions;
    private long notInCatalogue;
    private int firstMatchEarlier;

    /** @param catalogueTitles every catalogue title, as in the info file (stripped here) */
    public RankingMetrics(Collection<String> catalogueTitles) {
        Set<String> stripped = new HashSet<>();
        for (String t : catalogueTitles) stripped.add(strip(t));
        this.catalogueTitles = Collections.unmodifiableSet(stripped);
    }

    /**
     * The reference's post-processing of a decoded title: leading and trailing spaces, newlines and double quotes
     * removed (the target {@code "title"\n} becomes the title).
     */
    public static String strip(String s) {
        int start = 0, end = s.length();
        while (start < end && isStripped(s.charAt(start))) start++;
        while (end > start && isStripped(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }

    private static boolean isStripped(char c) {
        return c == ' ' || c == '\n' || c == '"';
    }

    /** 0-based index of the last prediction equal to the target after {@link #strip}, or -1 if none is. */
    public static int rank(List<String> predictions, String target) {
        String t = strip(target);
        for (int i = predictions.size() - 1; i >= 0; i--) if (strip(predictions.get(i)).equals(t)) return i;
        return -1;
    }

    /** 0-based index of the first matching prediction, or -1: the usual definition, for comparison only. */
    public static int firstRank(List<String> predictions, String target) {
        String t = strip(target);
        for (int i = 0; i < predictions.size(); i++) if (strip(predictions.get(i)).equals(t)) return i;
        return -1;
    }

    /** Scores one row and returns its rank (-1 for no match). */
    public int add(List<String> predictedTitles, String target) {
        int rank = rank(predictedTitles, target);
        if (rank >= 0 && firstRank(predictedTitles, target) < rank) firstMatchEarlier++;
        for (int k = 0; k < CUTOFFS.size(); k++) {
            if (rank >= 0 && rank < CUTOFFS.get(k)) {
                hits[k] += 1;
                ndcg[k] += 1 / (Math.log(rank + 2) / Math.log(2));
            }
        }
        for (String p : predictedTitles) if (!catalogueTitles.contains(strip(p))) notInCatalogue++;
        predictions += predictedTitles.size();
        rows++;
        return rank;
    }

    public Result result() {
        Map<Integer, Double> hr = new LinkedHashMap<>(), nd = new LinkedHashMap<>();
        for (int k = 0; k < CUTOFFS.size(); k++) {
            hr.put(CUTOFFS.get(k), rows == 0 ? 0 : hits[k] / rows);
            nd.put(CUTOFFS.get(k), rows == 0 ? 0 : ndcg[k] / rows);
        }
        return new Result(rows, Collections.unmodifiableMap(hr), Collections.unmodifiableMap(nd), predictions,
                notInCatalogue, firstMatchEarlier);
    }

    /**
     * @param hitRate                       HR@K by K
     * @param ndcg                          NDCG@K by K
     * @param predictions                   predicted titles scored, over all rows
     * @param notInCatalogue                predicted titles that are no catalogue title (0 when constrained decoding works)
     * @param rowsWhereFirstMatchIsEarlier  rows whose first match precedes the last one ("last" ranked them worse)
     */
    public record Result(int rows, Map<Integer, Double> hitRate, Map<Integer, Double> ndcg, long predictions,
                         long notInCatalogue, int rowsWhereFirstMatchIsEarlier) {
        public double hitRate(int k) {
            return value(hitRate, k);
        }

        public double ndcg(int k) {
            return value(ndcg, k);
        }

        private static double value(Map<Integer, Double> m, int k) {
            Double v = m.get(k);
            if (v == null) throw new IllegalArgumentException("ranking metrics: no cutoff " + k + "; expected one of " + CUTOFFS);
            return v;
        }
    }
}
