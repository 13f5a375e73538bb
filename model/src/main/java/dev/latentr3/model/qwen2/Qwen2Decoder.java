package dev.latentr3.model.qwen2;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.generate.Decoder;

import java.util.Arrays;

/**
 * A {@link Qwen2ForCausalLM} generating with a KV cache: the prompts run once (prefill), then each step runs one new
 * token per row. With several rows per prompt (beams, or several samples) the prompt still runs once: its cache
 * rows are copied into each of its rows.
 */
public final class Qwen2Decoder implements Decoder {
    private final Qwen2ForCausalLM model;
    private final KvCache cache;
    private final int rowsPerPrompt;
    private float[][] logits;

    private Qwen2Decoder(Qwen2ForCausalLM model, KvCache cache, int rowsPerPrompt, float[][] logits) {
        this.model = model;
        this.cache = cache;
        this.rowsPerPrompt = rowsPerPrompt;
        this.logits = logits;
    }

    /**
     * Runs the prompts ids I32 [P, L] with mask I32 [P, L] (null: no padding; left or right padding both work, the
     * next token continues each row's last real one), ready for maxNewTokens steps of P * rowsPerPrompt rows.
     */
    public static Qwen2Decoder start(Qwen2ForCausalLM model, Tensor promptIds, Tensor promptMask, int rowsPerPrompt,
                                     int maxNewTokens) {
        if (rowsPerPrompt <= 0 || maxNewTokens <= 0) {
            throw new IllegalArgumentException("Qwen2Decoder.start: rowsPerPrompt " + rowsPerPrompt + " and maxNewTokens "
                    + maxNewTokens + " must be positive");
        }
        int prompts = promptIds.size(0), length = promptIds.size(1), rows = prompts * rowsPerPrompt;
        int capacity = length + maxNewTokens;
        KvCache cache = model.newCache(rows, capacity);
        try (TensorScope scope = TensorScope.open()) {
            LogitPositions last = promptMask != null ? LogitPositions.lastReal(promptMask) : lastOfEach(prompts, length);
            float[] promptLogits;
            if (rowsPerPrompt == 1) {
                promptLogits = model.forwardCached(promptIds, promptMask, cache, last).logits().toFloatArray();
            } else {
                try (KvCache prefill = model.newCache(prompts, length)) {
                    promptLogits = model.forwardCached(promptIds, promptMask, prefill, last).logits().toFloatArray();
                    int[] from = new int[rows];
                    for (int r = 0; r < rows; r++) from[r] = r / rowsPerPrompt;
                    cache.copyRowsFrom(prefill, from);
                }
            }
            return new Qwen2Decoder(model, cache, rowsPerPrompt, perRow(promptLogits, rows, rowsPerPrompt, model.config().vocabSize()));
        } catch (RuntimeException | Error e) {
            cache.close();
            throw e;
        }
    }

    /**
     * Continues prompts that a caller already ran into {@code prefill} (P rows; for instance prompts whose last input
     * was an embedding rather than a token), ready for maxNewTokens steps of P * rowsPerPrompt rows. promptLogits
     * [P * vocab] are each prompt's next-token logits. The prefill cache is only read; the caller still owns it.
     */
    public static Qwen2Decoder resume(Qwen2ForCausalLM model, KvCache prefill, float[] promptLogits, int rowsPerPrompt,
                                      int maxNewTokens) {
        if (rowsPerPrompt <= 0 || maxNewTokens <= 0) {
            throw new IllegalArgumentException("Qwen2Decoder.resume: rowsPerPrompt " + rowsPerPrompt + " and maxNewTokens "
                    + maxNewTokens + " must be positive");
        }
        int prompts = prefill.batch(), rows = prompts * rowsPerPrompt, vocab = model.config().vocabSize();
        if (promptLogits.length != (long) prompts * vocab) {
            throw new IllegalArgumentException("Qwen2Decoder.resume: " + promptLogits.length + " logits for " + prompts
                    + " prompts of vocabulary " + vocab);
        }
        KvCache cache = model.newCache(rows, prefill.length() + maxNewTokens);
        try {
            int[] from = new int[rows];
            for (int r = 0; r < rows; r++) from[r] = r / rowsPerPrompt;
            cache.copyRowsFrom(prefill, from);
            return new Qwen2Decoder(model, cache, rowsPerPrompt, perRow(promptLogits, rows, rowsPerPrompt, vocab));
        } catch (RuntimeException | Error e) {
            cache.close();
            throw e;
        }
    }

    /** Each row's copy of its prompt's logits. */
    private static float[][] perRow(float[] promptLogits, int rows, int rowsPerPrompt, int vocab) {
        float[][] perRow = new float[rows][];
        for (int r = 0; r < rows; r++) {
            int p = r / rowsPerPrompt;
            perRow[r] = Arrays.copyOfRange(promptLogits, p * vocab, (p + 1) * vocab);
        }
        return perRow;
    }

    @Override
    public int rows() {
        return cache.batch();
    }

    @Override
    public int rowsPerPrompt() {
        return rowsPerPrompt;
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public float[] logits(int row) {
        if (logits == null) throw new IllegalStateException("Qwen2Decoder: logits are undefined after reorder until the next append");
        return logits[row].clone();
    }

    @Override
    public void append(int[] tokens) {
        int rows = rows();
        if (tokens.length != rows) {
            throw new IllegalArgumentException("Qwen2Decoder.append: " + tokens.length + " tokens for " + rows + " rows");
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor ids = Tensor.ofInts(tokens, rows, 1);
            float[] next = model.forwardCached(ids, null, cache, LogitPositions.all(rows, 1)).logits().toFloatArray();
            int vocab = vocabSize();
            float[][] perRow = new float[rows][];
            for (int r = 0; r < rows; r++) perRow[r] = Arrays.copyOfRange(next, r * vocab, (r + 1) * vocab);
            logits = perRow;
        }
    }

    @Override
    public void reorder(int[] from) {
        cache.reorder(from);
        logits = null;
    }

    /** The cache's memory is freed. */
    @Override
    public void close() {
        cache.close();
    }

    private static LogitPositions lastOfEach(int prompts, int length) {
        int[] b = new int[prompts], t = new int[prompts];
        for (int p = 0; p < prompts; p++) {
            b[p] = p;
            t[p] = length - 1;
        }
        return LogitPositions.of(b, t);
    }
}
