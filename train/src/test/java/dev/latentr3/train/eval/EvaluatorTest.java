package dev.latentr3.train.eval;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.json.Json;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Weights;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Evaluation end to end: constrained beam search over a tiny random Qwen2 returns only catalogue titles, the metrics
 * and the predictions file agree with the rows, and batching changes nothing.
 */
class EvaluatorTest {
    static final List<String> TITLES = List.of("Greatest Hits", "Greatest Hits Vol 2", "Great Escape", "Greatest Hits",
            "Heroes", "Hero", "Help", "Blue", "Blue Train", "Blues", "Kind of Blue", "Abbey Road", "Abbey", "Low", "Lo");
    final ItemCatalog catalog = ItemCatalog.of(TITLES);
    final SequenceTokens tokens = new SequenceTokens(TinyTokenizer.load(), new PromptTemplate("musics"), true);
    final TitleTrie trie = TitleTrie.build(catalog, tokens);
    final Qwen2ForCausalLM model = randomModel(17);
    final List<Interaction> rows = List.of(
            row("u1", List.of(0, 4), 5),
            row("u2", List.of(7, 8, 9, 10, 11), 10),
            row("u1", List.of(4, 5), 13),
            row("u3", List.of(2), 0));

    @Test
    void everyBeamIsADistinctCatalogueTitleAndTheFilesAgree(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("predictions.jsonl");
        EvaluationReport report = new Evaluator(tokens, trie, catalog, new EvaluationOptions(10, 3, DecodingStyle.BIGREC))
                .evaluate(rows, new QwenDecoderFactory(model, tokens.eosTokenId()), file);

        Set<String> catalogueTitles = new HashSet<>(TITLES);
        RankingMetrics recomputed = new RankingMetrics(TITLES);
        for (int i = 0; i < rows.size(); i++) {
            RowPrediction p = report.rows().get(i);
            assertEquals(10, p.predictions().size(), "row " + i + ": 10 beams from a catalogue of 13 distinct titles");
            assertEquals(10, new HashSet<>(p.predictions()).size(), "row " + i + ": beams are distinct titles " + p.predictions());
            assertTrue(catalogueTitles.containsAll(p.predictions()), "row " + i + ": " + p.predictions());
            for (int b = 1; b < 10; b++) assertTrue(p.scores().get(b - 1) >= p.scores().get(b), "row " + i + ": best first");
            for (int b = 0; b < 10; b++) {
                List<Integer> ids = p.itemIds().get(b);
                assertEquals(catalog.idsWithTitle(p.predictions().get(b)), ids, "row " + i + " beam " + b + ": every item of the title");
            }
            assertEquals(rows.get(i).userId(), p.user());
            assertEquals(RankingMetrics.rank(p.predictions(), rows.get(i).targetTitle()), p.rank());
            recomputed.add(p.predictions(), p.target());
        }
        assertEquals(0, report.metrics().notInCatalogue());
        assertEquals(recomputed.result(), report.metrics());
        assertEquals(trie.maxLength(), report.maxNewTokens());
        assertEquals(rows.size(), report.latency().rows());
        assertTrue(report.latency().p95Millis() >= report.latency().p50Millis() && report.latency().p50Millis() > 0);

        List<String> lines = Files.readAllLines(file);
        assertEquals(rows.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) Json.parse(lines.get(i), file + ":" + (i + 1));
            RowPrediction p = report.rows().get(i);
            assertEquals(p.user(), json.get("user"));
            assertEquals(p.target(), json.get("target"));
            assertEquals(p.predictions(), json.get("predictions"));
            assertEquals(p.itemIds().toString(), json.get("prediction_item_ids").toString());
            assertEquals(p.rank() < 0 ? Json.NULL : (Object) (long) p.rank(), json.get("rank"));
        }
        Map<String, Object> summary = report.toJson();
        assertEquals("BIGREC", summary.get("style"));
        assertTrue(Json.parse(dev.latentr3.model.json.JsonWriter.pretty(summary), "summary") instanceof Map<?, ?>);
    }

    @Test
    void batchingPromptsOfDifferentLengthsChangesNoPrediction() {
        QwenDecoderFactory factory = new QwenDecoderFactory(model, tokens.eosTokenId());
        EvaluationReport alone = new Evaluator(tokens, trie, catalog, new EvaluationOptions(10, 1, DecodingStyle.D3))
                .evaluate(rows, factory, null);
        EvaluationReport batched = new Evaluator(tokens, trie, catalog, new EvaluationOptions(10, 4, DecodingStyle.D3))
                .evaluate(rows, factory, null);
        for (int i = 0; i < rows.size(); i++) {
            RowPrediction a = alone.rows().get(i), b = batched.rows().get(i);
            assertEquals(a.predictions(), b.predictions(), "row " + i);
            for (int k = 0; k < a.scores().size(); k++) assertEquals(a.scores().get(k), b.scores().get(k), 1e-4, "row " + i + " beam " + k);
        }
    }

    /** 2 layers, hidden 16, 2 query heads sharing 1 key/value head, weights N(0, 0.5^2) from a seed. */
    static Qwen2ForCausalLM randomModel(long seed) {
        Qwen2Config config = new Qwen2Config(TinyTokenizer.VOCAB, 16, 32, 2, 2, 1, 1024, 10_000.0, 1e-6, false, "float32",
                TinyTokenizer.EOS, TinyTokenizer.EOS, 0.02);
        Random random = new Random(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Qwen2Weights.expectedShapes(config).forEach((name, shape) -> {
            int n = 1;
            for (int d : shape) n *= d;
            float[] v = new float[n];
            boolean norm = name.endsWith("norm.weight");
            for (int i = 0; i < n; i++) v[i] = (float) (norm ? 1 : 0.5 * random.nextGaussian());
            weights.put(name, Tensor.of(v, shape));
        });
        return Qwen2ForCausalLM.load(config, weights);
    }

    Interaction row(String user, List<Integer> history, int target) {
        List<String> asins = new ArrayList<>(), titles = new ArrayList<>();
        List<Double> ratings = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int id : history) {
            asins.add("A" + id);
            titles.add(catalog.title(id));
            ratings.add(5.0);
            times.add(1_500_000_000L + times.size());
        }
        return new Interaction(user, asins, "A" + target, history, target, titles, catalog.title(target), ratings, 4.0,
                times, 1_600_000_000L);
    }
}
