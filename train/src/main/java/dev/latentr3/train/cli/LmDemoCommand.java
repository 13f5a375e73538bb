package dev.latentr3.train.cli;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.generate.Generation;
import dev.latentr3.model.generate.LogitsProcessor;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.data.TinyCorpus;
import dev.latentr3.train.lm.TinyLMTraining;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;

/**
 * {@code latentr3 lm-demo}: the engine end to end in about a minute. Trains a tiny Qwen2 (byte-level tokens) on the
 * built-in corpus with a progress bar, then shows the loss it reached and a greedy continuation of a prompt.
 */
final class LmDemoCommand {
    private LmDemoCommand() {}

    static final int DEFAULT_STEPS = 600;
    private static final String PROMPT = "The keeper ";
    private static final int SAMPLE_TOKENS = 120;

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        int steps = new Args(args, Set.of("--steps"), Set.of()).positiveInt("--steps", DEFAULT_STEPS);

        Tokenizer tokenizer = ByteLevelTokenizerJson.tokenizer(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS);
        int eos = tokenizer.tokenId(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS.getFirst());
        String text = TinyCorpus.text();
        var settings = TinyLMTraining.Settings.demo(tokenizer.vocabSize(), eos, steps);
        int[] tokens = tokenizer.encode(text);
        var training = new TinyLMTraining(settings, tokens);
        var c = settings.model();
        out.printf(Locale.ROOT, "Tiny Qwen2: %d layers, hidden %d, %d heads (%d key/value), %,d parameters%n",
                c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.numKeyValueHeads(),
                training.model().parameterCount());
        out.printf(Locale.ROOT, "Corpus: %,d bytes of built-in English text, byte-level tokens (vocabulary %d)%n",
                tokens.length, tokenizer.vocabSize());
        out.printf(Locale.ROOT, "Training %d steps of %d sequences x %d tokens, AdamW, peak learning rate %.0e%n",
                steps, settings.batchSize(), settings.seqLen(), settings.peakLr());

        ProgressBar bar = ProgressBar.on(out, "train", steps);
        long start = System.nanoTime();
        float firstLoss = Float.NaN, smoothed = Float.NaN;
        for (int s = 0; s < steps; s++) {
            TinyLMTraining.StepResult r = training.step();
            if (s == 0) firstLoss = r.loss();
            // An exponential average: single batches are noisy, and the bar should show the trend.
            smoothed = Float.isNaN(smoothed) ? r.loss() : 0.9f * smoothed + 0.1f * r.loss();
            double seconds = (System.nanoTime() - start) / 1e9;
            bar.update(r.step(), String.format(Locale.ROOT, "loss %.3f | %s tok/s", smoothed,
                    rate((double) r.step() * settings.tokensPerStep() / seconds)));
        }
        bar.finish();

        out.printf(Locale.ROOT, "Loss: %.3f at the first step (ln %d = %.3f for a uniform guess), %.3f at the end (moving average)%n",
                firstLoss, tokenizer.vocabSize(), Math.log(tokenizer.vocabSize()), smoothed);
        int[] sample;
        int[] prompt = tokenizer.encode(PROMPT);
        try (var scope = TensorScope.open();
             var decoder = Qwen2Decoder.start(training.model(), Tensor.ofInts(prompt, 1, prompt.length), null, 1, SAMPLE_TOKENS)) {
            sample = Generation.greedy(decoder, SAMPLE_TOKENS, eos, LogitsProcessor.NONE)[0];
        }
        out.println("Greedy sample: \"" + PROMPT + tokenizer.decode(sample, true).replace("\n", "\\n") + "\"");
        return 0;
    }

    /** 12345.6 -> "12.3k". */
    private static String rate(double perSecond) {
        return perSecond >= 1e6 ? String.format(Locale.ROOT, "%.1fM", perSecond / 1e6)
                : perSecond >= 1e3 ? String.format(Locale.ROOT, "%.1fk", perSecond / 1e3)
                : String.format(Locale.ROOT, "%.0f", perSecond);
    }
}
