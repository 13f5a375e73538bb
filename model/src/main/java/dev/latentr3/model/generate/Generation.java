package dev.latentr3.model.generate;

import dev.latentr3.engine.random.Rng;

import java.util.Arrays;

/**
 * Token-by-token generation that picks one token per row and step: greedy (the most likely token, the lowest id
 * among equals) and sampling. A row stops after its eos token; the others go on until each has stopped or
 * maxNewTokens are generated. Every step's logits go through log-softmax and the {@link LogitsProcessor} first.
 */
public final class Generation {
    private Generation() {}

    /** Greedy decoding: each row's generated tokens, eos included when reached. */
    public static int[][] greedy(Decoder decoder, int maxNewTokens, int eosTokenId, LogitsProcessor processor) {
        if (maxNewTokens <= 0) throw new IllegalArgumentException("greedy: maxNewTokens must be positive, got " + maxNewTokens);
        return generate(decoder, maxNewTokens, eosTokenId, processor, null);
    }

    /** Sampling (see {@link SamplingOptions}): each row's generated tokens, eos included when reached. */
    public static int[][] sample(Decoder decoder, SamplingOptions options, LogitsProcessor processor) {
        TokenSampler sampler = new TokenSampler(options, Rng.seeded(options.seed()));
        return generate(decoder, options.maxNewTokens(), options.eosTokenId(), processor, sampler);
    }

    /** sampler null: greedy. */
    private static int[][] generate(Decoder decoder, int maxNewTokens, int eos, LogitsProcessor processor,
                                    TokenSampler sampler) {
        int rows = decoder.rows(), perPrompt = decoder.rowsPerPrompt();
        int[][] generated = new int[rows][maxNewTokens];
        int[] lengths = new int[rows];
        boolean[] stopped = new boolean[rows];
        int[] next = new int[rows];
        for (int step = 0; step < maxNewTokens; step++) {
            int running = 0;
            for (int r = 0; r < rows; r++) {
                if (stopped[r]) {
                    next[r] = Math.max(eos, 0); // fed to keep the batch rectangular; its output is ignored
                    continue;
                }
                float[] logProbs = NextTokenScores.logSoftmax(decoder.logits(r));
                processor.process(r / perPrompt, Arrays.copyOf(generated[r], lengths[r]), logProbs);
                int token = sampler == null ? NextTokenScores.argmax(logProbs) : sampler.sample(logProbs);
                if (token < 0) {
                    throw new IllegalStateException("generation: every token of row " + r + " is forbidden at step "
                            + step + " (the logits processor left no candidate)");
                }
                next[r] = token;
                generated[r][lengths[r]++] = token;
                if (token == eos) stopped[r] = true;
                else running++;
            }
            if (running == 0 || step == maxNewTokens - 1) break;
            decoder.append(next);
        }
        int[][] out = new int[rows][];
        for (int r = 0; r < rows; r++) out[r] = Arrays.copyOf(generated[r], lengths[r]);
        return out;
    }
}
