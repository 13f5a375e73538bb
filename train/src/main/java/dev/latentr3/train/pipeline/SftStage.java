package dev.latentr3.train.pipeline;

import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.sft.SftCollator;
import dev.latentr3.train.sft.SftConfig;
import dev.latentr3.train.sft.SftNetwork;
import dev.latentr3.train.sft.SftTrainer;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Stage 1 (method doc §2): supervised fine-tuning of a {@link RecModel}. A latent model trains LLM and LatentRATT
 * with the thought token in every prompt (LatentR3's warm-up); a baseline trains the LLM alone on the plain prompt
 * (BIGRec-style). Writes to {@code outDir}: {@code metrics.jsonl}, the trainer's {@code last} / {@code best}
 * checkpoints, and the best model as the {@link ModelFolder} {@code model}.
 */
public final class SftStage {
    public static final String MODEL = "model";

    /** The trained model (the best validation weights) and what the trainer did. */
    public record Outcome(RecModel model, SftTrainer.Result result, double initialValidationLoss, Path modelDir) {}

    private SftStage() {}

    public static Outcome run(RecModel model, DatasetSplits data, PromptTemplate template, SftConfig config, Path outDir,
                              PrintStream progress) {
        return run(model, data, template, config, outDir, progress, false);
    }

    /**
     * As {@link #run(RecModel, DatasetSplits, PromptTemplate, SftConfig, Path, PrintStream)}; with {@code resume}
     * the run continues bit for bit from {@code outDir/last} (the trainer writes it at every validation), its loss
     * curve then equal to an uninterrupted run's. The validation loss "before" is then the resumed state's.
     */
    public static Outcome run(RecModel model, DatasetSplits data, PromptTemplate template, SftConfig config, Path outDir,
                              PrintStream progress, boolean resume) {
        SftNetwork network = model.isLatent() ? SftNetwork.latent(model.latent()) : SftNetwork.baseline(model.llm());
        SftCollator collator = new SftCollator(model.sequenceTokens(template), config.cutoff());
        SftTrainer trainer = new SftTrainer(network, collator, data.train(), data.valid(), config, outDir, progress);
        if (resume) {
            Path last = outDir.resolve(SftTrainer.LAST);
            if (!java.nio.file.Files.isDirectory(last)) {
                throw new IllegalArgumentException("sft --resume: no checkpoint at " + last + " (a run with this out writes one at each validation)");
            }
            trainer.resumeFrom(last);
        }
        double before = trainer.validationLoss();
        SftTrainer.Result result = trainer.run();
        Path dir = outDir.resolve(MODEL);
        ModelFolder.write(dir, model);
        return new Outcome(model, result, before, dir);
    }
}
