package dev.latentr3.train.pipeline;

import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.train.dataset.AtomicFiles;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import dev.latentr3.train.eval.DecoderFactory;
import dev.latentr3.train.eval.EvaluationOptions;
import dev.latentr3.train.eval.EvaluationReport;
import dev.latentr3.train.eval.Evaluator;
import dev.latentr3.train.eval.LatencyStats;
import dev.latentr3.train.eval.LatentDecoderFactory;
import dev.latentr3.train.eval.QwenDecoderFactory;
import dev.latentr3.train.eval.TitleTrie;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 3 (method doc §4, §7): constrained beam search over the catalogue's title trie for every test row, HR and
 * NDCG at 1, 3, 5, 10, 20, per-row latency. A latent model is also timed with its thought token removed (the same
 * LLM on the plain prompt, on the first {@code latencyRows} rows), which is the cost the latent adds. Writes
 * {@code predictions.jsonl} and {@code eval.json} to {@code outDir}.
 */
public final class EvalStage {
    public static final String PREDICTIONS = "predictions.jsonl";
    public static final String SUMMARY = "eval.json";

    /**
     * @param options     beams, batch size, length penalty
     * @param cutoff      the training cutoff: prompts keep their last {@code cutoff - longest title} tokens, what
     *                    training kept of them (0: whole prompts)
     * @param maxRows     evaluate the first rows only (0: all)
     * @param latencyRows rows timed again without the thought token (0: none)
     */
    public record Settings(EvaluationOptions options, int cutoff, int maxRows, int latencyRows) {
        public Settings {
            if (cutoff < 0 || maxRows < 0 || latencyRows < 0) {
                throw new IllegalArgumentException("eval: cutoff, maxRows and latencyRows must be >= 0, found " + this);
            }
        }
    }

    /** The evaluation and, for a latent model, the latency of its LLM without the thought token (else null). */
    public record Outcome(EvaluationReport report, LatencyStats withoutThought) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>(report.toJson());
            if (withoutThought != null) {
                Map<String, Object> lat = new LinkedHashMap<>();
                lat.put("rows", withoutThought.rows());
                lat.put("mean_ms", withoutThought.meanMillis());
                lat.put("p50_ms", withoutThought.p50Millis());
                lat.put("p95_ms", withoutThought.p95Millis());
                m.put("latency_per_row_without_thought", lat);
            }
            return m;
        }
    }

    private EvalStage() {}

    public static Outcome run(RecModel model, ItemCatalog catalog, List<Interaction> rows, PromptTemplate template,
                              Settings settings, Path outDir) {
        List<Interaction> test = DatasetSplits.head(rows, settings.maxRows());
        if (test.isEmpty()) throw new IllegalArgumentException("eval: no test rows");
        SequenceTokens tokens = model.sequenceTokens(template);
        TitleTrie trie = TitleTrie.build(catalog, tokens);
        DecoderFactory factory = model.isLatent() ? new LatentDecoderFactory(model.latent(), model.eosTokenId())
                : new QwenDecoderFactory(model.llm(), model.eosTokenId());
        int keep = settings.cutoff() == 0 ? Integer.MAX_VALUE : Math.max(1, settings.cutoff() - trie.maxLength());
        EvaluationReport report = new Evaluator(tokens, trie, catalog, settings.options())
                .evaluate(test, truncated(factory, keep), outDir == null ? null : outDir.resolve(PREDICTIONS));
        LatencyStats plain = null;
        if (model.isLatent() && settings.latencyRows() > 0) {
            SequenceTokens noThought = new SequenceTokens(model.tokenizer(), template, false);
            plain = new Evaluator(noThought, TitleTrie.build(catalog, noThought), catalog, settings.options())
                    .evaluate(DatasetSplits.head(test, settings.latencyRows()),
                            truncated(new QwenDecoderFactory(model.llm(), model.eosTokenId()), keep), null).latency();
        }
        Outcome outcome = new Outcome(report, plain);
        if (outDir != null) AtomicFiles.writeUtf8(outDir.resolve(SUMMARY), JsonWriter.pretty(outcome.toJson()) + "\n");
        return outcome;
    }

    /** A factory that keeps each prompt's last {@code keep} tokens (the thought token, when there is one, is last). */
    static DecoderFactory truncated(DecoderFactory inner, int keep) {
        return (prompts, rowsPerPrompt, maxNewTokens) -> inner.start(prompts.stream()
                .map(p -> p.length <= keep ? p : Arrays.copyOfRange(p, p.length - keep, p.length)).toList(), rowsPerPrompt, maxNewTokens);
    }
}
