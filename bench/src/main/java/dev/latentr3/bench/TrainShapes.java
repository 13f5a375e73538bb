package dev.latentr3.bench;

import dev.latentr3.engine.Shapes;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.config.Qwen2Presets;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2Weights;
import dev.latentr3.train.rl.RlExample;
import dev.latentr3.train.sft.SftBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The models and batches of the training benchmarks, shared by the Java benchmarks, the report and (by their names
 * and numbers) the PyTorch scripts in bench/torch, whose {@code qwen2_torch.PRESETS} and {@code synthetic_ids}
 * must say the same.
 *
 * <p>A LatentR3-like SFT batch: {@link #ROWS} rows of a {@link #PROMPT}-token prompt and a {@link #TARGET}-token
 * title target (the reference's prompts run to a few hundred tokens, titles with quotes, newline and EOS to about
 * twenty), no padding; the loss on the target tokens only. Token ids come from a fixed formula spread over the
 * vocabulary ({@link #tokenId}): their values do not change the work, only that both sides use the same.
 */
public final class TrainShapes {
    private TrainShapes() {}

    /** Rows per step: the reference's SFT micro-batch (4 per GPU). */
    public static final int ROWS = 4;
    public static final int PROMPT = 200;
    public static final int TARGET = 20;
    /** Groups per LR-GRPO micro-step: the reference's gathered micro-batch (one group per GPU, 2 GPUs). */
    public static final int GROUPS = 2;

    /** The tiny preset's vocabulary: the byte-level tokenizer's 259 entries and the thought token. */
    static final int TINY_VOCAB = 260;

    /** Qwen2.5's end-of-text id, the EOS of the Qwen-shaped presets (it changes no weight). */
    private static final int QWEN_EOS = 151_643;

    /**
     * "tiny": {@link Qwen2Presets#tiny} over {@link #TINY_VOCAB} rows; "qwen05b-2l": {@link Qwen2Presets#qwen25HalfB}
     * (hidden 896, 14 / 2 heads, MLP 4864, 151,936 rows, tied) with 2 of its 24 layers; "qwen05b": all 24 layers
     * (Qwen2.5-0.5B's shape, 494,032,768 parameters); "qwen15b": {@link Qwen2Presets#qwen25OnePointFiveB}, all 28
     * layers (Qwen2.5-1.5B's shape, 1,543,714,304 parameters). The last two are for the GPU benchmarks.
     */
    public static Qwen2Config config(String preset) {
        return switch (preset) {
            case "tiny" -> Qwen2Presets.tiny(TINY_VOCAB, 256, Qwen2Presets.TINY_LAYERS);
            case "qwen05b-2l" -> Qwen2Presets.qwen25HalfB(QWEN_EOS, 2);
            case "qwen05b" -> Qwen2Presets.qwen25HalfB(QWEN_EOS, Qwen2Presets.QWEN25_HALF_B_LAYERS);
            case "qwen15b" -> Qwen2Presets.qwen25OnePointFiveB(QWEN_EOS, Qwen2Presets.QWEN25_ONE_POINT_FIVE_B_LAYERS);
            default -> throw new IllegalArgumentException("TrainShapes: unknown preset '" + preset
                    + "', expected tiny, qwen05b-2l, qwen05b or qwen15b");
        };
    }

    /** Parameter count of a preset (tied embeddings counted once), which the PyTorch scripts report back. */
    public static long parameters(String preset) {
        long n = 0;
        for (int[] shape : Qwen2Weights.expectedShapes(config(preset)).values()) n += Shapes.numel(shape);
        return n;
    }

    /** Tokens a training step reads: rows x (prompt + target). */
    public static long tokensPerStep() {
        return (long) ROWS * (PROMPT + TARGET);
    }

    /** The id at position t of row r, among the first {@code vocabRows} ids; qwen2_torch.synthetic_ids is the same. */
    public static int tokenId(int row, int t, int vocabRows) {
        return (int) ((row * 1_000_003L + t * 7_919L + 17) % vocabRows);
    }

    /** The SFT batch: ids, an all-ones mask, and the logit positions and labels of the last TARGET tokens of each row. */
    public static SftBatch sftBatch(int vocab) {
        int length = PROMPT + TARGET;
        int[] ids = new int[ROWS * length], mask = new int[ROWS * length];
        Arrays.fill(mask, 1);
        int[] rows = new int[ROWS * TARGET], positions = new int[ROWS * TARGET], labels = new int[ROWS * TARGET];
        for (int r = 0; r < ROWS; r++) {
            for (int t = 0; t < length; t++) ids[r * length + t] = tokenId(r, t, vocab);
            for (int j = 0; j < TARGET; j++) {
                int k = r * TARGET + j;
                rows[k] = r;
                positions[k] = PROMPT - 1 + j; // the logits before a token predict it
                labels[k] = ids[r * length + PROMPT + j];
            }
        }
        return new SftBatch(ROWS, length, ids, mask, LogitPositions.of(rows, positions), labels, (long) ROWS * length);
    }

    /**
     * The LR-GRPO groups: one example each, a PROMPT-token prompt and a TARGET-token target with ids below
     * {@code vocab - 1} (the last row is the thought token); the sequence the LLM reads is prompt, thought, target.
     */
    public static List<RlExample> rlGroups(int vocab) {
        List<RlExample> out = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            int[] prompt = new int[PROMPT], target = new int[TARGET];
            for (int t = 0; t < PROMPT; t++) prompt[t] = tokenId(g, t, vocab - 1);
            for (int j = 0; j < TARGET; j++) target[j] = tokenId(g, PROMPT + 1 + j, vocab - 1);
            out.add(new RlExample(prompt, target));
        }
        return out;
    }
}
