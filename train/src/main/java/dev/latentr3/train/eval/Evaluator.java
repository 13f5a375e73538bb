package dev.latentr3.train.eval;

import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.generate.BeamHypothesis;
import dev.latentr3.model.generate.BeamSearch;
import dev.latentr3.model.generate.BeamSearchOptions;
import dev.latentr3.model.generate.Decoder;
import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.train.dataset.AtomicFiles;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.SequenceTokens;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference's evaluation (method doc §4, §7), for any model behind a {@link DecoderFactory}: each test row's
 * prompt, constrained beam search over the catalogue's title trie, the beams decoded to titles, ranked against the
 * target. Several rows share one beam search call (one batched prompt pass, beams batched in every step).
 *
 * <p>Titles are decoded from the generated tokens only, special tokens skipped, then stripped as the reference does.
 * The reference decoded prompt and continuation together and cut at the last "Response:"; with nothing but the
 * continuation to decode there is nothing to cut, which also removes its slicing defect (§9 item 11).
 */
public final class Evaluator {
    private final SequenceTokens tokens;
    private final TitleTrie trie;
    private final ItemCatalog catalog;
    private final EvaluationOptions options;

    public Evaluator(SequenceTokens tokens, TitleTrie trie, ItemCatalog catalog, EvaluationOptions options) {
        this.tokens = tokens;
        this.trie = trie;
        this.catalog = catalog;
        this.options = options;
    }

    /** The beam search settings: a title sequence is at most {@link TitleTrie#maxLength} tokens, EOS included. */
    public BeamSearchOptions beamSearchOptions() {
        return new BeamSearchOptions(options.numBeams(), trie.maxLength(), tokens.eosTokenId(),
                options.style().lengthPenalty(), false);
    }

    /**
     * Evaluates every row; when {@code predictionsFile} is not null, writes it (atomically) as JSON lines, one
     * {@link RowPrediction#toJson} per row in input order.
     */
    public EvaluationReport evaluate(List<Interaction> rows, DecoderFactory factory, Path predictionsFile) {
        BeamSearchOptions search = beamSearchOptions();
        TrieConstraint constraint = new TrieConstraint(trie);
        RankingMetrics metrics = new RankingMetrics(catalog.titles());
        List<RowPrediction> out = new ArrayList<>(rows.size());
        double[] millis = new double[rows.size()];
        for (int start = 0; start < rows.size(); start += options.batchSize()) {
            List<Interaction> batch = rows.subList(start, Math.min(rows.size(), start + options.batchSize()));
            long t0 = System.nanoTime();
            List<List<BeamHypothesis>> beams = decode(batch, factory, search, constraint);
            double perRow = (System.nanoTime() - t0) / 1e6 / batch.size();
            for (int i = 0; i < batch.size(); i++) {
                Interaction row = batch.get(i);
                List<String> titles = new ArrayList<>();
                List<List<Integer>> itemIds = new ArrayList<>();
                List<Double> scores = new ArrayList<>();
                for (BeamHypothesis h : beams.get(i)) {
                    titles.add(RankingMetrics.strip(tokens.tokenizer().decode(h.tokens(), true)));
                    itemIds.add(itemsOf(h.tokens()));
                    scores.add(h.score());
                }
                int rank = metrics.add(titles, row.targetTitle());
                millis[start + i] = perRow;
                out.add(new RowPrediction(row.userId(), row.targetTitle(), row.targetItemId(), titles, itemIds, scores, rank, perRow));
            }
        }
        if (predictionsFile != null) writePredictions(out, predictionsFile);
        return new EvaluationReport(metrics.result(), LatencyStats.of(millis), options, search.maxNewTokens(), out);
    }

    private List<List<BeamHypothesis>> decode(List<Interaction> batch, DecoderFactory factory, BeamSearchOptions search,
                                              TrieConstraint constraint) {
        List<int[]> prompts = new ArrayList<>(batch.size());
        for (Interaction row : batch) prompts.add(tokens.prompt(row.historyTitles()));
        // The scope frees the batch's temporaries; the decoder frees its own cache on close.
        try (TensorScope scope = TensorScope.open(); Decoder decoder = factory.start(prompts, search.numBeams(), search.maxNewTokens())) {
            return BeamSearch.search(decoder, search, constraint);
        }
    }

    /** The items whose title a beam spells, from its trie leaf; none for a beam that did not finish a title. */
    private List<Integer> itemsOf(int[] beam) {
        int node = trie.walk(beam);
        if (node < 0 || !trie.isLeaf(node)) return List.of();
        return java.util.Arrays.stream(trie.itemIds(node)).boxed().toList();
    }

    /** One JSON object per line, the whole file replaced at once so a reader never sees half of it. */
    public static void writePredictions(List<RowPrediction> rows, Path file) {
        StringBuilder sb = new StringBuilder();
        for (RowPrediction r : rows) sb.append(JsonWriter.compact(r.toJson())).append('\n');
        AtomicFiles.writeUtf8(file, sb);
    }
}
