package dev.latentr3.engine;

import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.ops.Activations;
import dev.latentr3.engine.ops.Attention;
import dev.latentr3.engine.ops.Casts;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.ops.Norms;
import dev.latentr3.engine.ops.Rope;
import dev.latentr3.engine.ops.Softmax;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

/** Finite-difference gradient checks of the fused model ops (norms, rope, attention, losses, lookups, casts). */
class ModelOpGradientTest {
    private static final int IGNORE = -100;

    @Test
    void rmsNorm() {
        GradCheck.of("rmsNorm", in -> Norms.rmsNorm(in[0], in[1], 1e-5f)).input(3, 7).input(7).check();
        GradCheck.of("rmsNorm 3-D", in -> Norms.rmsNorm(in[0], in[1], 1e-3f)).input(2, 3, 5).input(5).check();
    }

    @Test
    void ropeWithPerBatchPositionsAndPartialRotation() {
        // Left-padded rows start their positions later; the last 3 of 7 entries per head pass through unrotated.
        Tensor positions = Tensor.ofInts(new int[]{0, 1, 2, 3, 4, 0, 0, 0, 1, 2}, 2, 5);
        GradCheck.of("rope per batch", in -> Rope.apply(in[0], in[1], 4, 10000.0)).input(2, 5, 3, 7).constant(positions)
                .check();
    }

    @Test
    void ropeWithSharedPositionsAndFullRotation() {
        Tensor positions = Tensor.ofInts(new int[]{3, 4, 5, 6, 7}, 5);
        GradCheck.of("rope shared", in -> Rope.apply(in[0], in[1], 6, 500.0)).input(2, 5, 3, 6).constant(positions)
                .check();
    }

    @Test
    void swiglu() {
        GradCheck.of("swiglu", in -> Activations.swiglu(in[0], in[1])).input(3, 5).input(3, 5).check();
    }

    @Test
    void softmax() {
        GradCheck.of("softmax", in -> Softmax.softmax(in[0])).input(3, 7).check();
        GradCheck.of("softmax of transposed", in -> Softmax.softmax(in[0].transpose(0, 1))).input(7, 3).check();
    }

    @Test
    void logSoftmax() {
        GradCheck.of("logSoftmax", in -> Softmax.logSoftmax(in[0])).input(3, 5, 7).check();
    }

    @Test
    void causalGroupedQueryAttentionWithLeftPadding() {
        // Self-attention, Hq = 4 over Hkv = 2; batch row 1 has 3 left-padding keys, so its first 3 queries see no key.
        Tensor mask = Tensor.ofInts(new int[]{1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1}, 2, 7);
        GradCheck.of("sdpa causal gqa", in -> Attention.sdpa(in[0], in[1], in[2], true, in[3], Float.NaN))
                .input(2, 7, 4, 5).input(2, 7, 2, 5).input(2, 7, 2, 5).constant(mask).check();
    }

    @Test
    void attentionWithFewerQueriesThanKeys() {
        // The queries are the last 3 of 7 positions (as with a KV cache); an explicit scale.
        Tensor mask = Tensor.ofInts(new int[]{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 7);
        GradCheck.of("sdpa causal lq<lk", in -> Attention.sdpa(in[0], in[1], in[2], true, in[3], 0.3f))
                .input(2, 3, 4, 3).input(2, 7, 2, 3).input(2, 7, 2, 3).constant(mask).check();
        GradCheck.of("sdpa non-causal no mask", in -> Attention.sdpa(in[0], in[1], in[2], false, null, Float.NaN))
                .input(1, 3, 2, 5).input(1, 5, 1, 5).input(1, 5, 1, 5).check();
    }

    @Test
    void logProbGatherWithAnIgnoredRow() {
        Tensor targets = Tensor.ofInts(new int[]{2, IGNORE, 6, 0, 3}, 5);
        GradCheck.of("logProbGather", in -> Losses.logProbGather(in[0], in[1], IGNORE)).input(5, 7).constant(targets)
                .check();
    }

    @Test
    void crossEntropyWithAnIgnoredRow() {
        Tensor targets = Tensor.ofInts(new int[]{2, IGNORE, 6, 0, 3}, 5);
        GradCheck.of("crossEntropy", in -> Losses.crossEntropy(in[0], in[1], IGNORE)).input(5, 7).constant(targets)
                .check();
    }

    @Test
    void embeddingWithRepeatedIds() {
        Tensor ids = Tensor.ofInts(new int[]{1, 4, 1, 6, 0, 4}, 2, 3);
        GradCheck.of("embedding", in -> Indexing.embedding(in[0], in[1])).input(7, 5).constant(ids).check();
    }

    @Test
    void embeddingWithInt64Ids() {
        Tensor ids = Tensor.empty(DType.I64, 3);
        long[] values = {6, 2, 6};
        for (int i = 0; i < values.length; i++) ids.data().setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, values[i]);
        GradCheck.of("embedding i64", in -> Indexing.embedding(in[0], in[1])).input(7, 5).constant(ids).check();
    }

    @Test
    void indexPut() {
        Tensor rows = Tensor.ofInts(new int[]{5, 0, 3}, 3);
        GradCheck.of("indexPut", in -> Indexing.indexPut(in[0], in[1], in[2])).input(7, 5).constant(rows).input(3, 5)
                .check();
    }

    @Test
    void castsThroughBf16() {
        // The cast's backward is the identity (straight-through). On values that bf16 holds exactly, with a step it
        // also holds exactly (multiples of 1/64 in [0.25, 2], eps = 1/64), the round trip really is the identity,
        // so finite differences are exact there and check it.
        float[] v = new float[15];
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < v.length; i++) v[i] = (16 + r.nextInt(112)) / 64f;
        GradCheck.of("cast f32->bf16->f32", in -> Casts.to(Casts.to(in[0], DType.BF16), DType.F32))
                .input(Tensor.of(v, 3, 5)).eps(1 / 64.0).check();
        Tensor bf16;
        try (var off = GradMode.noGrad()) {
            bf16 = Casts.to(Tensor.of(v, 5, 3), DType.BF16);
        }
        GradCheck.of("cast bf16->f32", in -> Casts.to(in[0], DType.F32)).input(bf16).eps(1 / 64.0).check();
    }
}
