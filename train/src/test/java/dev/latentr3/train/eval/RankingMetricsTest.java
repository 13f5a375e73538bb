package dev.latentr3.train.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The reference's metrics on hand-computed cases. */
class RankingMetricsTest {
    static final double EPS = 1e-12;

    @Test
    void stripRemovesSurroundingSpacesNewlinesAndQuotesOnly() {
        assertEquals("Don't Stop", RankingMetrics.strip(" \"Don't Stop\"\n"));
        assertEquals("a \"b\" c", RankingMetrics.strip("\"a \"b\" c\""));
        assertEquals("", RankingMetrics.strip("\" \n\""));
        assertEquals("\tx", RankingMetrics.strip("\tx\n")); // tabs are not stripped by the reference's set
    }

    @Test
    void rankIsTheLastMatchAfterStripping() {
        List<String> predictions = List.of("a", "b", "c", "\"b\"\n", "d");
        assertEquals(3, RankingMetrics.rank(predictions, "b"));
        assertEquals(1, RankingMetrics.firstRank(predictions, "b"));
        assertEquals(0, RankingMetrics.rank(predictions, " a "));
        assertEquals(-1, RankingMetrics.rank(predictions, "e"));
        assertEquals(-1, RankingMetrics.firstRank(predictions, "e"));
    }

    @Test
    void hitRateAndNdcgAverageOverAllRows() {
        RankingMetrics m = new RankingMetrics(List.of("t1", "t2", "x", "y", "\"q\""));
        assertEquals(1, m.add(List.of("x", "t1", "y"), "t1"));
        assertEquals(0, m.add(List.of("t2", "x"), "t2"));
        assertEquals(-1, m.add(List.of("x", "y", "zzz"), "t1"));             // a miss still counts in the average
        assertEquals(4, m.add(List.of("x", "y", "q", "x", "t2", "y"), "t2"));
        RankingMetrics.Result r = m.result();
        assertEquals(4, r.rows());
        // Hits at ranks 1, 0, 4 (and one miss): HR@K = #(rank < K) / 4.
        assertEquals(1 / 4.0, r.hitRate(1), EPS);
        assertEquals(2 / 4.0, r.hitRate(3), EPS);
        assertEquals(3 / 4.0, r.hitRate(5), EPS);
        assertEquals(3 / 4.0, r.hitRate(10), EPS);
        assertEquals(3 / 4.0, r.hitRate(20), EPS);
        // NDCG: 1/log2(rank + 2) = 1 for rank 0, 0.6309297535714575 for rank 1, 0.38685280723454163 for rank 4.
        assertEquals(1 / 4.0, r.ndcg(1), EPS);
        assertEquals((1 + 0.6309297535714575) / 4, r.ndcg(3), EPS);
        assertEquals((1 + 0.6309297535714575 + 0.38685280723454163) / 4, r.ndcg(5), EPS);
        assertEquals(r.ndcg(5), r.ndcg(10), EPS);
        assertEquals(r.ndcg(5), r.ndcg(20), EPS);
        assertEquals(14, r.predictions());
        assertEquals(1, r.notInCatalogue()); // "zzz"; "q" matches the catalogue's "\"q\"" after stripping
        assertEquals(0, r.rowsWhereFirstMatchIsEarlier());
        assertThrows(IllegalArgumentException.class, () -> r.hitRate(7));
    }

    @Test
    void repeatedMatchesRankByTheLastAndAreCounted() {
        RankingMetrics m = new RankingMetrics(List.of("a", "b"));
        assertEquals(2, m.add(List.of("a", "b", "a"), "a"));
        RankingMetrics.Result r = m.result();
        assertEquals(0, r.hitRate(1), EPS);     // "first" would have given a hit at rank 0
        assertEquals(1, r.hitRate(3), EPS);
        assertEquals(0.5, r.ndcg(3), EPS);      // 1/log2(4)
        assertEquals(1, r.rowsWhereFirstMatchIsEarlier());
    }

    @Test
    void noRowsGiveZeros() {
        RankingMetrics.Result r = new RankingMetrics(List.of("a")).result();
        assertEquals(0, r.rows());
        assertEquals(0, r.hitRate(10), EPS);
    }

    @Test
    void latencyPercentilesUseNearestRank() {
        LatencyStats s = LatencyStats.of(new double[]{5, 1, 4, 2, 3, 10, 6, 7, 9, 8, 20, 11, 12, 13, 14, 15, 16, 17, 18, 19});
        assertEquals(20, s.rows());
        assertEquals(10.5, s.meanMillis(), EPS);
        assertEquals(10, s.p50Millis(), EPS); // ceil(0.5 * 20) = 10th smallest
        assertEquals(19, s.p95Millis(), EPS); // ceil(0.95 * 20) = 19th smallest
        assertEquals(0, LatencyStats.of(new double[0]).rows());
    }
}
