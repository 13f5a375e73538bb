package dev.latentr3.train.pipeline;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.json.Json;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.train.dataset.DatasetLayout;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SyntheticDataset;
import dev.latentr3.train.eval.DecodingStyle;
import dev.latentr3.train.eval.EvaluationOptions;
import dev.latentr3.train.eval.RowPrediction;
import dev.latentr3.train.rl.Advantages;
import dev.latentr3.train.rl.LrGrpoConfig;
import dev.latentr3.train.rl.RlTrainer;
import dev.latentr3.train.sft.SftConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stages end to end on a very small synthetic dataset and a 1-layer model: SFT of the baseline and of LatentR3,
 * RL from the latter, evaluation of all three; what each writes is loadable, and evaluating a saved folder gives
 * exactly what evaluating the model in memory gave.
 */
class PipelineTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final PromptTemplate TEMPLATE = new PromptTemplate("musics");
    private static final String TOKENIZER = ByteLevelTokenizerJson.json(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS);
    private static final ModelShape SHAPE = new ModelShape(16, 32, 1, 2, 1, 512, 0.02);
    private static final int CUTOFF = 96;
    private static final SftConfig SFT = new SftConfig(4, 1, 1, 3e-3, 2, true, 0.0, 1.0, 6, 1, CUTOFF, 5);
    private static final EvalStage.Settings EVAL = new EvalStage.Settings(new EvaluationOptions(5, 4, DecodingStyle.BIGREC), CUTOFF, 6, 2);

    @Test
    void everyStageWritesAFolderThatEvaluatesLikeTheModelInMemory(@TempDir Path dir) throws IOException {
        SyntheticDataset.write(new SyntheticDataset.Options(16, 30, 2, 1, 2, 2, 2, 2, 3), dir.resolve("data"));
        DatasetSplits data = DatasetSplits.read(new DatasetLayout(dir.resolve("data")));

        RecModel baseline = ModelInit.baseline(TOKENIZER, "bytes", SHAPE, 1);
        SftStage.Outcome b = SftStage.run(baseline, data, TEMPLATE, SFT, dir.resolve("baseline"), QUIET);
        assertFalse(Files.exists(b.modelDir().resolve(ModelFolder.LATENT_ATTENTION)), "the baseline has no LatentRATT");
        assertTrue(b.result().bestLoss() < b.initialValidationLoss(), "SFT lowered the validation loss: " + b.initialValidationLoss()
                + " -> " + b.result().bestLoss());
        assertEquals(b.result().lastStep(), Files.readAllLines(dir.resolve("baseline/metrics.jsonl")).stream()
                .filter(l -> l.contains("\"type\":\"step\"")).count());

        RecModel latent = ModelInit.latent(TOKENIZER, "bytes", SHAPE, 1);
        String layer = "model.layers.0.mlp.down_proj.weight";
        assertArrayEquals(ModelInit.baseline(TOKENIZER, "bytes", SHAPE, 1).llm().namedParameters().get(layer).toFloatArray(),
                latent.llm().namedParameters().get(layer).toFloatArray(), "one seed, one initial LLM");
        SftStage.Outcome l = SftStage.run(latent, data, TEMPLATE, SFT, dir.resolve("latent"), QUIET);
        EvalStage.Outcome sftEval = EvalStage.run(l.model(), data.catalog(), data.test(), TEMPLATE, EVAL, dir.resolve("latent"));
        assertSameAsSaved(l.model(), l.modelDir(), data, dir.resolve("latent-reloaded"), sftEval);
        assertTrue(sftEval.withoutThought() != null && sftEval.withoutThought().rows() == 2);

        var rl = new RlStage.Settings(new RlTrainer.Settings(2, 2, 1e-3, 0, 1.0, 0.0, 9,
                new LrGrpoConfig(4, 0.5f, Advantages.Kind.GROUP_MEAN_STD, 0)), CUTOFF);
        Map<String, Tensor> llmBefore = copies(l.model().llm().namedParameters());
        float[] queryBefore = l.model().attention().namedParameters().firstEntry().getValue().toFloatArray();
        RlStage.Outcome r = RlStage.run(l.model(), data.train(), data.valid(), TEMPLATE, rl, dir.resolve("rl"), QUIET);
        assertEquals(2, Files.readAllLines(dir.resolve("rl").resolve(RlStage.METRICS)).size());
        assertTrue(Double.isFinite(r.heldOutCleanRewardBefore()) && r.heldOutCleanRewardBefore() < 0);
        llmBefore.forEach((name, t) -> assertArrayEquals(t.toFloatArray(), r.model().llm().namedParameters().get(name).toFloatArray(),
                "RL keeps the LLM frozen: " + name));
        assertFalse(java.util.Arrays.equals(queryBefore, r.model().attention().namedParameters().firstEntry().getValue().toFloatArray()),
                "RL trains LatentRATT");
        RecModel reloaded = ModelFolder.read(r.modelDir());
        assertTrue(reloaded.isLatent());
        assertArrayEquals(r.model().attention().namedParameters().firstEntry().getValue().toFloatArray(),
                reloaded.attention().namedParameters().firstEntry().getValue().toFloatArray());

        EvalStage.Outcome baseEval = EvalStage.run(b.model(), data.catalog(), data.test(), TEMPLATE, EVAL, dir.resolve("baseline"));
        assertNull(baseEval.withoutThought(), "the baseline is already without a thought token");
        assertSameAsSaved(b.model(), b.modelDir(), data, dir.resolve("baseline-reloaded"), baseEval);
    }

    private static void assertSameAsSaved(RecModel inMemory, Path folder, DatasetSplits data, Path out, EvalStage.Outcome expected)
            throws IOException {
        RecModel saved = ModelFolder.read(folder);
        assertEquals(inMemory.isLatent(), saved.isLatent());
        assertEquals(inMemory.tokenizer().vocabSize(), saved.tokenizer().vocabSize());
        EvalStage.Outcome again = EvalStage.run(saved, data.catalog(), data.test(), TEMPLATE, EVAL, out);
        assertEquals(expected.report().metrics(), again.report().metrics());
        List<RowPrediction> a = expected.report().rows(), c = again.report().rows();
        assertEquals(6, a.size(), "60 rows, 6 in test");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).predictions(), c.get(i).predictions(), "row " + i);
            assertEquals(a.get(i).scores(), c.get(i).scores(), "row " + i);
            assertEquals(5, a.get(i).predictions().size());
        }
        var m = again.report().metrics();
        for (int k : List.of(1, 3, 5, 10, 20)) {
            assertTrue(m.hitRate(k) >= 0 && m.hitRate(k) <= 1 && m.ndcg(k) >= 0 && m.ndcg(k) <= m.hitRate(k), "@" + k + ": " + m);
        }
        assertTrue(m.hitRate(1) <= m.hitRate(3) && m.hitRate(3) <= m.hitRate(5));
        assertEquals(0, m.notInCatalogue());
        assertEquals(6, Files.readAllLines(out.resolve(EvalStage.PREDICTIONS)).size());
        Object summary = Json.parse(Files.readString(out.resolve(EvalStage.SUMMARY)), "eval.json");
        assertTrue(summary instanceof Map<?, ?> map && map.containsKey("hit_rate"));
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> params) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        params.forEach((n, t) -> out.put(n, Tensor.of(t.toFloatArray(), t.shape())));
        return out;
    }
}
