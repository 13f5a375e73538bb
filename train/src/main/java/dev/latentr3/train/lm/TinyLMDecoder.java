package dev.latentr3.train.lm;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.generate.Decoder;

import java.util.Arrays;

/**
 * The {@link TinyTransformerLM} as the search strategies of {@code dev.latentr3.model.generate} see a model. It
 * keeps no KV cache: every step re-reads each row's last {@code window} tokens (the context length the model was
 * trained on; rotary positions beyond it were never seen), which is plenty fast for a model this small.
 */
public final class TinyLMDecoder implements Decoder {
    private final TinyTransformerLM model;
    private final int window;
    private int[][] sequences;
    private float[][] nextLogits;

    /** rows copies of one prompt. */
    public TinyLMDecoder(TinyTransformerLM model, int[] prompt, int rows, int window) {
        if (prompt.length == 0 || rows <= 0 || window <= 0) {
            throw new IllegalArgumentException("TinyLMDecoder: need a non-empty prompt, rows > 0 and window > 0, got "
                    + prompt.length + " tokens, " + rows + " rows, window " + window);
        }
        this.model = model;
        this.window = window;
        this.sequences = new int[rows][];
        for (int r = 0; r < rows; r++) sequences[r] = prompt.clone();
        computeLogits();
    }

    @Override
    public int rows() {
        return sequences.length;
    }

    @Override
    public int rowsPerPrompt() {
        return sequences.length;
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public float[] logits(int row) {
        return nextLogits[row].clone();
    }

    @Override
    public void append(int[] tokens) {
        if (tokens.length != sequences.length) {
            throw new IllegalArgumentException("TinyLMDecoder.append: " + tokens.length + " tokens for " + sequences.length + " rows");
        }
        for (int r = 0; r < sequences.length; r++) {
            int[] s = Arrays.copyOf(sequences[r], sequences[r].length + 1);
            s[s.length - 1] = tokens[r];
            sequences[r] = s;
        }
        computeLogits();
    }

    @Override
    public void reorder(int[] from) {
        int[][] next = new int[from.length][];
        for (int b = 0; b < from.length; b++) next[b] = sequences[from[b]].clone();
        sequences = next;
        nextLogits = null;
    }

    @Override
    public void close() {
        // Nothing to free: each step's tensors live in that step's scope.
    }

    private void computeLogits() {
        nextLogits = new float[sequences.length][];
        try (var noGrad = GradMode.noGrad()) {
            for (int r = 0; r < sequences.length; r++) {
                int[] s = sequences[r];
                int from = Math.max(0, s.length - window), length = s.length - from;
                try (var step = TensorScope.open()) {
                    Tensor ids = Tensor.ofInts(Arrays.copyOfRange(s, from, s.length), 1, length);
                    nextLogits[r] = model.logits(ids).slice(1, length - 1, length).toFloatArray();
                }
            }
        }
    }
}
