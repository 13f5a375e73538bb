package dev.latentr3.train.cli;

import dev.latentr3.model.generate.Generation;
import dev.latentr3.model.generate.LogitsProcessor;
import dev.latentr3.train.data.ByteTokenizer;
import dev.latentr3.train.data.TinyCorpus;
import dev.latentr3.train.lm.TinyLMDecoder;
import dev.latentr3.train.lm.TinyLMTraining;

import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code latentr3 demo}: the engine end to end in about a minute. Trains the tiny Qwen2-shaped LM on the built-in
 * corpus with a progress bar, then shows the loss it reached and a greedy continuation of a prompt.
 */
final class DemoCommand {
    private DemoCommand() {}

    static final int DEFAULT_STEPS = 600;
    private static final String PROMPT = "The keeper ";
    private static final int SAMPLE_TOKENS = 120;

    static int run(String[] args, PrintStream out, PrintStream err) {
        int steps = DEFAULT_STEPS;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--steps") && i + 1 < args.length) {
                try {
                    steps = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    steps = -1;
                }
                if (steps <= 0) {
                    err.println("latentr3 demo: --steps needs a positive whole number, got '" + args[i] + "'");
                    return Main.USAGE_ERROR;
                }
            } else {
                err.println("latentr3 demo: unexpected argument '" + args[i] + "'. Usage: latentr3 demo [--steps N]");
                return Main.USAGE_ERROR;
            }
        }

        ByteTokenizer tokenizer = new ByteTokenizer();
        String text = TinyCorpus.text();
        var settings = TinyLMTraining.Settings.demo(tokenizer.vocabSize(), steps);
        int[] tokens = tokenizer.encode(text);
        var training = new TinyLMTraining(settings, tokens);
        var c = settings.model();
        out.printf(Locale.ROOT, "Tiny Qwen2-shaped LM: %d layers, hidden %d, %d heads (%d key/value), %,d parameters%n",
                c.layers(), c.hidden(), c.heads(), c.kvHeads(), training.model().parameterCount());
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
        try (var decoder = new TinyLMDecoder(training.model(), tokenizer.encode(PROMPT), 1, settings.seqLen())) {
            sample = Generation.greedy(decoder, SAMPLE_TOKENS, ByteTokenizer.EOS, LogitsProcessor.NONE)[0];
        }
        out.println("Greedy sample: \"" + PROMPT + tokenizer.decode(sample).replace("\n", "\\n") + "\"");
        return 0;
    }

    /** 12345.6 -> "12.3k". */
    private static String rate(double perSecond) {
        return perSecond >= 1e6 ? String.format(Locale.ROOT, "%.1fM", perSecond / 1e6)
                : perSecond >= 1e3 ? String.format(Locale.ROOT, "%.1fk", perSecond / 1e3)
                : String.format(Locale.ROOT, "%.0f", perSecond);
    }
}
