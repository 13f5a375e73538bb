package dev.latentr3.train.pipeline;

import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.rl.RlExample;
import dev.latentr3.train.rl.RlTrainer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stage 2 (method doc §3): LR-GRPO from the LatentR3 SFT weights. The LLM (embeddings and output layer included) is
 * frozen and only LatentRATT is trained, by {@link RlTrainer}. Writes {@code metrics.jsonl} (one line per step) and
 * the model folder {@code model} to {@code outDir}. The clean reward (-PPL of the target with the noise-free latent)
 * is measured on held-out rows before and after, the quantity RL is meant to raise.
 */
public final class RlStage {
    public static final String METRICS = "metrics.jsonl";
    public static final String MODEL = "model";
    /** The trainer's resumable state under the stage's folder. */
    public static final String CHECKPOINT = "checkpoint";

    /**
     * @param trainer the RL loop's settings
     * @param cutoff  the most tokens a sequence (prompt, thought, target) keeps, its last ones: the same
     *                left truncation as SFT's cutoff
     */
    public record Settings(RlTrainer.Settings trainer, int cutoff) {}

    /** The trained model, the steps' metrics, and the mean clean reward on the held-out rows before and after. */
    public record Outcome(RecModel model, List<RlTrainer.StepMetrics> steps, double heldOutCleanRewardBefore,
                          double heldOutCleanRewardAfter, LatentScale scaleBefore, Path modelDir) {}

    /**
     * The root mean square of the clean latent's entries and of the prompt tokens' embedding entries, over some
     * held-out rows: the scale that the noise sigma perturbs (sigma far above the latent's RMS explores far from it).
     */
    public record LatentScale(double latentRms, double embeddingRms) {
        static LatentScale of(RecModel model, List<RlExample> examples) {
            var latent = model.latent();
            double lat = 0, emb = 0;
            long nl = 0, ne = 0;
            try (var noGrad = dev.latentr3.engine.autograd.GradMode.noGrad();
                 var scope = dev.latentr3.engine.memory.TensorScope.open()) {
                for (RlExample e : examples.subList(0, Math.min(8, examples.size()))) {
                    int[] seq = e.sequence(latent.thoughtId());
                    var ids = dev.latentr3.engine.Tensor.ofInts(seq, 1, seq.length);
                    for (float v : latent.inject(ids, null, dev.latentr3.model.latent.LatentNoise.none()).latents().toFloatArray()) {
                        lat += v * v;
                        nl++;
                    }
                    int[] prompt = e.prompt();
                    for (float v : latent.llm().embed(dev.latentr3.engine.Tensor.ofInts(prompt, 1, prompt.length)).toFloatArray()) {
                        emb += v * v;
                        ne++;
                    }
                }
            }
            return new LatentScale(Math.sqrt(lat / nl), Math.sqrt(emb / ne));
        }
    }

    private RlStage() {}

    public static Outcome run(RecModel model, List<Interaction> train, List<Interaction> heldOut, PromptTemplate template,
                              Settings settings, Path outDir, PrintStream progress) {
        return run(model, train, heldOut, template, settings, outDir, progress, false);
    }

    /**
     * As {@link #run(RecModel, List, List, PromptTemplate, Settings, Path, PrintStream)}; the trainer's state goes to
     * {@code outDir/checkpoint} (every {@code checkpointEvery} steps and at the end), and with {@code resume} the run
     * continues from there bit for bit (the metrics file is appended to). The clean reward "before" is then the
     * resumed state's.
     */
    public static Outcome run(RecModel model, List<Interaction> train, List<Interaction> heldOut, PromptTemplate template,
                              Settings settings, Path outDir, PrintStream progress, boolean resume) {
        if (!model.isLatent()) throw new IllegalArgumentException("rl: the model has no LatentRATT; RL starts from a LatentR3 SFT model");
        RlTrainer.Settings ts = settings.trainer();
        // N is the model's (its SFT was trained with N thought tokens per prompt), not a free RL setting.
        if (ts.grpo().latentTokens() != model.latentTokens()) ts = ts.withGrpo(ts.grpo().withLatentTokens(model.latentTokens()));
        if (ts.checkpoint() == null) ts = ts.withCheckpoints(outDir.resolve(CHECKPOINT), ts.checkpointEvery());
        RlTrainer trainer = new RlTrainer(model.latent(), examples(model, train, template, settings.cutoff()), ts);
        if (resume) {
            if (!java.nio.file.Files.isDirectory(ts.checkpoint())) {
                throw new IllegalArgumentException("rl --resume: no checkpoint at " + ts.checkpoint() + " (a run with this out writes one)");
            }
            trainer.resumeFrom(ts.checkpoint());
        }
        List<RlExample> held = examples(model, heldOut, template, settings.cutoff());
        double before = mean(trainer.grpo().cleanRewards(held));
        LatentScale scale = LatentScale.of(model, held);
        try {
            java.nio.file.Files.createDirectories(outDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("rl: cannot create " + outDir, e);
        }
        List<RlTrainer.StepMetrics> steps = trainer.run(outDir.resolve(METRICS), progress);
        double after = mean(trainer.grpo().cleanRewards(held));
        Path dir = outDir.resolve(MODEL);
        ModelFolder.write(dir, model);
        return new Outcome(model, steps, before, after, scale, dir);
    }

    /** The rows as RL examples, each sequence left-truncated to {@code cutoff} tokens as SFT's collator does. */
    public static List<RlExample> examples(RecModel model, List<Interaction> rows, PromptTemplate template, int cutoff) {
        List<RlExample> out = new ArrayList<>(rows.size());
        for (Interaction row : rows) {
            RlExample e = RlExample.of(template, row, model.tokenizer()::encode, model.eosTokenId());
            int keep = cutoff - 1 - e.target().length; // prompt tokens left beside the thought token and the target
            if (keep < 1) {
                throw new IllegalArgumentException("rl: the target of user " + row.userId() + " has " + e.target().length
                        + " tokens; cutoff " + cutoff + " must keep it, the thought token and one prompt token");
            }
            int[] prompt = e.prompt();
            out.add(prompt.length <= keep ? e : new RlExample(Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length), e.target()));
        }
        return out;
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return a.length == 0 ? Double.NaN : s / a.length;
    }
}
