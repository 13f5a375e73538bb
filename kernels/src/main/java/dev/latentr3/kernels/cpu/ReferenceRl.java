package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Philox;
import dev.latentr3.kernels.RlKernels;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.getInt;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * {@link RlKernels} as plain loops in double: the oracle for the CUDA kernels, and the CPU implementation (these
 * kernels touch thousands of rewards or a few latent rows per step, too little to be worth vectorising).
 */
public final class ReferenceRl implements RlKernels {

    @Override
    public void grpoAdvantagesBatch(int groups, int copies, MemorySegment rewards, MemorySegment advantages) {
        RlArgs.advantages("grpoAdvantagesBatch", groups, copies, rewards, advantages);
        if (groups == 0) return;
        long n = (long) groups * copies;
        double clean = 0;
        for (int g = 0; g < groups; g++) clean += getFloat(rewards, (long) g * copies);
        double baseline = clean / groups;
        double squares = 0;
        for (long i = 0; i < n; i++) {
            double d = getFloat(rewards, i) - baseline;
            squares += d * d;
        }
        double norm = Math.sqrt(squares);
        for (long i = 0; i < n; i++) {
            setFloat(advantages, i, norm > 0 ? (float) ((getFloat(rewards, i) - baseline) / norm) : 0f);
        }
    }

    @Override
    public void grpoAdvantagesGroup(int groups, int copies, float eps, MemorySegment rewards, MemorySegment advantages) {
        RlArgs.advantages("grpoAdvantagesGroup", groups, copies, rewards, advantages);
        for (int g = 0; g < groups; g++) {
            long base = (long) g * copies;
            double sum = 0;
            for (int c = 0; c < copies; c++) sum += getFloat(rewards, base + c);
            double mean = sum / copies, squares = 0;
            for (int c = 0; c < copies; c++) {
                double d = getFloat(rewards, base + c) - mean;
                squares += d * d;
            }
            double std = copies > 1 ? Math.sqrt(squares / (copies - 1)) : 0;
            for (int c = 0; c < copies; c++) {
                setFloat(advantages, base + c, (float) ((getFloat(rewards, base + c) - mean) / (std + eps)));
            }
        }
    }

    @Override
    public void injectLatents(int n, int dim, MemorySegment latents, MemorySegment rows, int tokens, float sigma,
                              long seed, long offset, MemorySegment embeds) {
        RlArgs.injection("injectLatents", n, dim, rows, tokens, "embeds", embeds, "latents", latents);
        checkRows("injectLatents", n, rows, tokens);
        for (int i = 0; i < n; i++) {
            long to = (long) getInt(rows, i) * dim, from = (long) i * dim;
            for (int j = 0; j < dim; j++) {
                double v = getFloat(latents, from + j);
                if (sigma != 0) v += (double) sigma * Philox.gaussian(seed, offset, from + j);
                setFloat(embeds, to + j, (float) v);
            }
        }
    }

    @Override
    public void injectLatentsBackward(int n, int dim, MemorySegment rows, int tokens, MemorySegment dEmbeds,
                                      MemorySegment dLatents) {
        RlArgs.injection("injectLatentsBackward", n, dim, rows, tokens, "dEmbeds", dEmbeds, "dLatents", dLatents);
        checkRows("injectLatentsBackward", n, rows, tokens);
        for (int i = 0; i < n; i++) {
            long from = (long) getInt(rows, i) * dim, to = (long) i * dim;
            for (int j = 0; j < dim; j++) {
                setFloat(dLatents, to + j, getFloat(dEmbeds, from + j));
                setFloat(dEmbeds, from + j, 0f);
            }
        }
    }

    /** Every row in [0, tokens) and none named twice. */
    private static void checkRows(String kernel, int n, MemorySegment rows, int tokens) {
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int r = getInt(rows, i);
            if (r < 0 || r >= tokens) {
                throw new IllegalArgumentException(kernel + ": rows[" + i + "] = " + r + " is out of range for "
                        + tokens + " tokens (expected 0 <= row < " + tokens + ")");
            }
            Integer before = seen.put(r, i);
            if (before != null) {
                throw new IllegalArgumentException(kernel + ": rows[" + i + "] = " + r + " repeats rows[" + before
                        + "] (each latent needs its own row)");
            }
        }
    }
}
