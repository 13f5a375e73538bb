package dev.latentr3.train.lm;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.optim.GradClip;
import dev.latentr3.engine.optim.LrSchedule;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.config.Qwen2Presets;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Init;
import dev.latentr3.train.data.TokenWindows;

/**
 * Pre-training of a freshly initialised {@link Qwen2ForCausalLM} (see {@link Qwen2Init}) on one token stream, one optimizer step at a time: random windows,
 * mean next-token cross-entropy, backward, global-norm clipping, AdamW with warm-up and cosine decay. Each step runs
 * under its own {@link TensorScope}, so activations and temporaries are freed when it ends; only parameters,
 * gradients and optimizer state (allocated once) outlive it.
 */
public final class TinyLMTraining {

    /** Everything that decides a run; the same settings and tokens give the same losses. */
    public record Settings(Qwen2Config model, int batchSize, int seqLen, int steps, double peakLr,
                           int warmupSteps, double minLr, double weightDecay, double clipNorm, long seed) {
        public Settings {
            if (batchSize <= 0 || seqLen <= 0 || steps <= 0) {
                throw new IllegalArgumentException("TinyLMTraining.Settings: batch size, sequence length and steps must be positive, got "
                        + batchSize + ", " + seqLen + ", " + steps);
            }
        }

        /**
         * The demo's run of {@link Qwen2Presets#tiny} on a byte-level vocabulary: 8 windows of 64 tokens a step, warm-up over the first 1/15
         * of the steps, cosine decay to a tenth of the peak. Small batches and many steps: for a model this small
         * and a fixed budget of tokens, more updates learn more than bigger batches do.
         */
        public static Settings demo(int vocabSize, int eosTokenId, int steps) {
            return new Settings(Qwen2Presets.tiny(vocabSize, eosTokenId, Qwen2Presets.TINY_LAYERS), 8, 64, steps, 3e-3,
                    steps / 15, 3e-4, 0.1, 1.0, 42L);
        }

        public int tokensPerStep() {
            return batchSize * seqLen;
        }
    }

    /** What one step did: its loss (before the update), the gradient norm before clipping, the learning rate used. */
    public record StepResult(int step, float loss, double gradNorm, double lr) {}

    /** Targets never equal this (Hugging Face's ignore index); every position of a window counts. */
    private static final int IGNORE_INDEX = -100;

    private final Settings settings;
    private final Qwen2ForCausalLM model;
    private final TokenWindows windows;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private int stepsDone;

    public TinyLMTraining(Settings settings, int[] tokens) {
        this.settings = settings;
        Rng root = Rng.seeded(settings.seed());
        this.model = Qwen2Init.model(settings.model(), root.fork("init"));
        this.windows = new TokenWindows(tokens, settings.seqLen(), root.fork("batches"));
        this.optimizer = new AdamW(model.namedParameters(), AdamW.Hyper.defaults().withWeightDecay(settings.weightDecay()),
                AdamW.MATRICES_ONLY);
        this.schedule = LrSchedule.warmupCosine(settings.peakLr(), settings.warmupSteps(), settings.steps(), settings.minLr());
    }

    public StepResult step() {
        try (var scope = TensorScope.open()) {
            TokenWindows.Batch batch = windows.next(settings.batchSize());
            Tensor loss = loss(batch.inputs(), batch.targets());
            float value = loss.item();
            loss.backward();
            double norm = GradClip.clipGlobalNorm(model.parameters(), settings.clipNorm());
            double lr = schedule.at(stepsDone);
            optimizer.step(lr);
            optimizer.zeroGrad();
            stepsDone++;
            return new StepResult(stepsDone, value, norm, lr);
        }
    }

    /** Mean next-token cross-entropy of targets I32 [B, L] (targets[b, t] is the token after ids[b, t]). */
    private Tensor loss(Tensor ids, Tensor targets) {
        int b = ids.size(0), l = ids.size(1);
        Tensor logits = model.forward(ids, null, LogitPositions.all(b, l)).logits();
        return Losses.crossEntropy(logits, targets.reshape(b * l), IGNORE_INDEX);
    }

    public Qwen2ForCausalLM model() {
        return model;
    }

    public Settings settings() {
        return settings;
    }

    public int stepsDone() {
        return stepsDone;
    }
}
