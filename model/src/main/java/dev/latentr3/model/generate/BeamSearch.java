package dev.latentr3.model.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search over log-softmax scores, per prompt, in the manner of Hugging Face's: the decoder holds numBeams rows
 * per prompt; at first only the prompt's first row is live (the others are copies of it at score -infinity, so that
 * the first step does not pick the same continuation numBeams times).
 *
 * <p>Each step, for each prompt: every live row's log-probabilities (after the {@link LogitsProcessor}) are added to
 * the row's summed log-probability, and the 2 * numBeams best (row, token) candidates are walked best first. An eos
 * candidate among the first numBeams of them becomes a finished hypothesis (kept: the numBeams best by
 * length-penalised score); any other candidate becomes a live row of the next step, until numBeams rows are filled.
 * Candidates at -infinity (forbidden tokens, or dead rows) are never taken; rows left without a candidate are dead.
 *
 * <p>A prompt is done when it has numBeams finished hypotheses and, with early stopping, at once; without, when no
 * live row can still beat the worst of them. That bound is exact, not a heuristic: a live row's summed
 * log-probability s can only decrease, so its best reachable score is s / maxNewTokens^lengthPenalty when
 * lengthPenalty > 0 and s / currentLength^lengthPenalty otherwise. At maxNewTokens the live rows become hypotheses.
 *
 * <p>Ties: candidates with equal summed log-probability rank by lower row, then by lower token id; hypotheses with
 * equal scores keep the order in which they finished.
 */
public final class BeamSearch {
    private BeamSearch() {}

    /** The numBeams best hypotheses of each prompt, best first (fewer when fewer sequences are possible). */
    public static List<List<BeamHypothesis>> search(Decoder decoder, BeamSearchOptions options, LogitsProcessor processor) {
        int beams = options.numBeams();
        if (decoder.rowsPerPrompt() != beams) {
            throw new IllegalArgumentException("beam search: the decoder has " + decoder.rowsPerPrompt()
                    + " rows per prompt, numBeams is " + beams);
        }
        int rows = decoder.rows(), prompts = rows / beams, eos = options.eosTokenId();
        double[] sum = new double[rows];
        for (int r = 0; r < rows; r++) sum[r] = r % beams == 0 ? 0 : Double.NEGATIVE_INFINITY;
        int[][] history = new int[rows][0];
        List<List<BeamHypothesis>> finished = new ArrayList<>();
        for (int p = 0; p < prompts; p++) finished.add(new ArrayList<>());
        boolean[] done = new boolean[prompts];

        for (int step = 0; step < options.maxNewTokens(); step++) {
            int length = step + 1; // generated tokens once this step's token is appended
            double[] nextSum = new double[rows];
            int[] from = new int[rows], tokens = new int[rows];
            for (int p = 0; p < prompts; p++) {
                int first = p * beams;
                Arrays.fill(nextSum, first, first + beams, Double.NEGATIVE_INFINITY);
                Arrays.fill(from, first, first + beams, first);
                Arrays.fill(tokens, first, first + beams, Math.max(eos, 0));
                if (done[p]) continue;
                Candidates best = new Candidates(2 * beams);
                for (int r = first; r < first + beams; r++) {
                    if (sum[r] == Double.NEGATIVE_INFINITY) continue;
                    float[] logProbs = NextTokenScores.logSoftmax(decoder.logits(r));
                    processor.process(p, history[r].clone(), logProbs);
                    for (int t = 0; t < logProbs.length; t++) {
                        if (logProbs[t] != Float.NEGATIVE_INFINITY) best.offer(sum[r] + logProbs[t], r, t);
                    }
                }
                int filled = 0;
                List<Candidates.Entry> ranked = best.bestFirst();
                for (int rank = 0; rank < ranked.size() && filled < beams; rank++) {
                    Candidates.Entry c = ranked.get(rank);
                    if (c.token() == eos) {
                        if (rank < beams) addHypothesis(finished.get(p), append(history[c.row()], eos), c.sum(), options);
                    } else {
                        nextSum[first + filled] = c.sum();
                        from[first + filled] = c.row();
                        tokens[first + filled] = c.token();
                        filled++;
                    }
                }
                done[p] = filled == 0 || isDone(finished.get(p), nextSum, first, length, options);
            }
            boolean last = step == options.maxNewTokens() - 1;
            boolean allDone = true;
            for (boolean d : done) allDone &= d;
            int[][] nextHistory = new int[rows][];
            for (int r = 0; r < rows; r++) nextHistory[r] = append(history[from[r]], tokens[r]);
            history = nextHistory;
            sum = nextSum;
            if (last || allDone) break;
            decoder.reorder(from);
            decoder.append(tokens);
        }
        List<List<BeamHypothesis>> out = new ArrayList<>();
        for (int p = 0; p < prompts; p++) {
            List<BeamHypothesis> hyps = finished.get(p);
            if (!done[p]) {
                // Ran out of steps: the live rows compete as they are, without eos.
                for (int r = p * beams; r < (p + 1) * beams; r++) {
                    if (sum[r] != Double.NEGATIVE_INFINITY) addHypothesis(hyps, history[r], sum[r], options);
                }
            }
            out.add(List.copyOf(hyps));
        }
        return out;
    }

    private static boolean isDone(List<BeamHypothesis> finished, double[] liveSum, int first, int length, BeamSearchOptions o) {
        if (finished.size() < o.numBeams()) return false;
        if (o.earlyStopping()) return true;
        double worst = finished.getLast().score();
        int reachableLength = o.lengthPenalty() > 0 ? o.maxNewTokens() : length;
        for (int r = first; r < first + o.numBeams(); r++) {
            if (liveSum[r] == Double.NEGATIVE_INFINITY) continue;
            if (liveSum[r] / Math.pow(reachableLength, o.lengthPenalty()) > worst) return false;
        }
        return true;
    }

    /** Inserts keeping the list sorted best first (stable among equal scores) and at most numBeams long. */
    private static void addHypothesis(List<BeamHypothesis> list, int[] tokens, double sum, BeamSearchOptions o) {
        double score = sum / Math.pow(tokens.length, o.lengthPenalty());
        int at = list.size();
        while (at > 0 && list.get(at - 1).score() < score) at--;
        if (at >= o.numBeams()) return;
        list.add(at, new BeamHypothesis(tokens, sum, score));
        if (list.size() > o.numBeams()) list.removeLast();
    }

    private static int[] append(int[] a, int token) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = token;
        return out;
    }

    /** The k best (summed log-probability, row, token) candidates: a bounded min-heap keyed by the ranking order. */
    static final class Candidates {
        record Entry(double sum, int row, int token) {}

        /** Best first: higher sum, then lower row, then lower token. */
        static final Comparator<Entry> BEST_FIRST = Comparator.comparingDouble(Entry::sum).reversed()
                .thenComparingInt(Entry::row).thenComparingInt(Entry::token);

        private final int capacity;
        private final java.util.PriorityQueue<Entry> worstFirst;

        Candidates(int capacity) {
            this.capacity = capacity;
            this.worstFirst = new java.util.PriorityQueue<>(capacity + 1, BEST_FIRST.reversed());
        }

        void offer(double sum, int row, int token) {
            if (worstFirst.size() == capacity) {
                Entry worst = worstFirst.peek();
                // Cheap rejection first: most of a vocabulary falls below the k-th best.
                if (sum < worst.sum() || BEST_FIRST.compare(new Entry(sum, row, token), worst) >= 0) return;
                worstFirst.poll();
            }
            worstFirst.add(new Entry(sum, row, token));
        }

        List<Entry> bestFirst() {
            List<Entry> out = new ArrayList<>(worstFirst);
            out.sort(BEST_FIRST);
            return out;
        }
    }
}
