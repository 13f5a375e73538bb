package dev.latentr3.train.lm;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.memory.NativeMemory;
import dev.latentr3.kernels.cpu.CpuBackends;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.data.TinyCorpus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyLMTrainingTest {
    private static final Tokenizer TOKENIZER = ByteLevelTokenizerJson.tokenizer(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS);
    private static final int EOS = TOKENIZER.tokenId("<|endoftext|>");
    private static final int[] TOKENS = TOKENIZER.encode(TinyCorpus.text());

    /** Steps of the demo's settings (8 windows of 64 tokens each) that this test runs. */
    private static final int STEPS = 240;
    /**
     * The mean loss of the last 10 of those steps must be below this. On this corpus a model of byte frequencies
     * alone scores 2.93 nats (its unigram entropy); measured runs of the tiny Qwen2 end at 1.95 (seed 42, the one
     * used here) and 1.88 to 1.98 over seeds 1 and 2, so the bound proves learning beyond letter frequencies with
     * a margin for changes of summation order in the kernels.
     */
    private static final double LOSS_BOUND = 2.3;

    @Test
    void theTinyModelLearnsTheBuiltInCorpus() {
        var training = new TinyLMTraining(TinyLMTraining.Settings.demo(TOKENIZER.vocabSize(), EOS, STEPS), TOKENS);
        double uniform = Math.log(TOKENIZER.vocabSize());
        float first = training.step().loss();
        assertEquals(uniform, first, 0.15, "an untrained model (init std 0.02) guesses close to uniformly");
        double lastTen = 0;
        for (int s = 2; s <= STEPS; s++) {
            float loss = training.step().loss();
            assertTrue(Float.isFinite(loss), "loss at step " + s + " is " + loss);
            if (s > STEPS - 10) lastTen += loss / 10;
        }
        assertTrue(lastTen < LOSS_BOUND, "mean loss of the last 10 steps " + lastTen + " is not below " + LOSS_BOUND
                + " after " + STEPS + " steps (started at " + first + ")");
    }

    /**
     * Seeds decide everything: init, batches. Bit for bit on the reference kernels; the fast ones may differ in the
     * last bit between runs in one JVM (their results depend on how far the JIT has compiled them), so on those
     * the losses only agree to rounding.
     */
    @Test
    void sameSettingsGiveTheSameLosses() throws Exception {
        var settings = smallSettings();
        try (var reference = Backends.useCpu(CpuBackends.reference())) {
            var a = new TinyLMTraining(settings, TOKENS);
            var b = new TinyLMTraining(settings, TOKENS);
            for (int s = 0; s < 2; s++) assertEquals(a.step().loss(), b.step().loss(), "reference kernels, step " + (s + 1));
        }
        var a = new TinyLMTraining(settings, TOKENS);
        var b = new TinyLMTraining(settings, TOKENS);
        for (int s = 0; s < 3; s++) assertEquals(a.step().loss(), b.step().loss(), 1e-5, "fast kernels, step " + (s + 1));
    }

    /**
     * Parameters, gradients and optimizer state are allocated once (gradients during the first backward); every
     * other tensor of a step lives in its scope. So after the first step the native memory in use must not change.
     */
    @Test
    void stepsAfterTheFirstAllocateNothingThatOutlivesThem() throws InterruptedException {
        var training = new TinyLMTraining(smallSettings(), TOKENS);
        training.step();
        settleGarbage();
        long afterFirst = NativeMemory.liveBytes();
        for (int s = 0; s < 5; s++) training.step();
        assertEquals(afterFirst, NativeMemory.liveBytes(), "native bytes in use changed across training steps");
    }

    private static TinyLMTraining.Settings smallSettings() {
        var demo = TinyLMTraining.Settings.demo(TOKENIZER.vocabSize(), EOS, 20);
        return new TinyLMTraining.Settings(demo.model(), 2, 16, 20, demo.peakLr(), 2, demo.minLr(),
                demo.weightDecay(), demo.clipNorm(), 7L);
    }

    /**
     * Owned tensors that earlier tests dropped are freed by a Cleaner after garbage collection, at a time of its
     * choosing (later still on a busy machine); collect until the count of live bytes has not moved over five
     * checks in a row, so that none is freed during the measurement.
     */
    private static void settleGarbage() throws InterruptedException {
        long previous = -1;
        int stable = 0;
        for (int i = 0; i < 100 && stable < 5; i++) {
            System.gc();
            Thread.sleep(20);
            long now = NativeMemory.liveBytes();
            stable = now == previous ? stable + 1 : 0;
            previous = now;
        }
    }
}
