package dev.latentr3.train.cli;

import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.pipeline.ModelFolder;
import dev.latentr3.train.pipeline.ModelInit;
import dev.latentr3.train.pipeline.ModelShape;
import dev.latentr3.train.pipeline.PipelineConfig;
import dev.latentr3.train.pipeline.RecModel;

import java.nio.file.Path;
import java.util.function.Supplier;

/** The {@code model} section of the stage commands: a saved folder, or a fresh model of a given shape. */
final class StageModels {
    private StageModels() {}

    /** The default shape of a model trained from scratch (the demo's). */
    static final ModelShape TINY = new ModelShape(64, 192, 2, 4, 2, 1024, 0.02);

    /** {@code model.from} (a folder written by sft or rl), required; the model is read when the supplier is called. */
    static Supplier<RecModel> saved(ConfigTree model) {
        Path from = model.path("from", null);
        if (from == null) throw model.error("from", "expected the model folder that sft or rl wrote");
        return () -> ModelFolder.read(from);
    }

    /**
     * For sft: {@code model.from} to continue from a folder, else a fresh model of the shape keys, the
     * {@code model.tokenizer} (byte-level when absent) and {@code model.seed}; {@code model.latent} adds the thought
     * token and LatentRATT (LatentR3) or trains the LLM alone (baseline); {@code model.latent_tokens} is N, the thought
     * tokens ending each prompt (1 as published).
     */
    static Supplier<RecModel> forSft(ConfigTree model) {
        boolean latent = model.bool("latent", true);
        int latentTokens = model.intValue("latent_tokens", 1, 1, 64);
        if (!latent && latentTokens != 1) throw model.error("latent_tokens", "the baseline (latent: false) has no latent tokens");
        Supplier<RecModel> m = forSft(model, latent);
        return latent ? () -> m.get().withLatentTokens(latentTokens) : m;
    }

    private static Supplier<RecModel> forSft(ConfigTree model, boolean latent) {
        long seed = model.longValue("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        Path from = model.path("from", null);
        if (from != null) {
            return () -> {
                RecModel m = ModelFolder.read(from);
                if (m.isLatent() && !latent) {
                    throw new IllegalArgumentException(model.fullKey("latent") + " is false but " + from + " is a LatentR3 model");
                }
                return latent && !m.isLatent() ? ModelInit.withThought(m, seed) : m;
            };
        }
        ModelShape shape = PipelineConfig.shape(model, TINY);
        String json = PipelineConfig.tokenizerJson(model);
        String source = model.path("tokenizer", Path.of("byte-level tokenizer")).toString();
        return () -> latent ? ModelInit.latent(json, source, shape, seed) : ModelInit.baseline(json, source, shape, seed);
    }
}
