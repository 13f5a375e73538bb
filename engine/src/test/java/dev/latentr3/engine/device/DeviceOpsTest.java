package dev.latentr3.engine.device;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.Activations;
import dev.latentr3.engine.ops.Attention;
import dev.latentr3.engine.ops.Casts;
import dev.latentr3.engine.ops.Elementwise;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Norms;
import dev.latentr3.engine.ops.Reductions;
import dev.latentr3.engine.ops.Rope;
import dev.latentr3.engine.ops.Softmax;
import dev.latentr3.engine.ops.Views;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every engine op on the "cuda" device (the emulator in the build, a GPU with -Dlatentr3.cuda.emulate=false) against
 * the CPU: forward and backward, odd shapes, fresh random inputs per test. Tolerances: element-wise ops 1e-5 relative
 * (the device's fast math intrinsics differ from Java's by a few ulp); reductions over a row, GEMMs and attention
 * 1e-4 (different summation orders).
 */
class DeviceOpsTest {
    private static final double EW = 1e-5, ROW = 1e-4;

    private Device cuda;
    private DeviceComparison c;

    @BeforeEach
    void setUp() {
        cuda = TestDevices.cuda();
        c = new DeviceComparison(System.nanoTime());
    }

    @Test
    void binaryOpsWithBroadcasting() {
        c.check("add", cuda, EW, EW, x -> x[0].add(x[1]), c.variable(3, 5, 7), c.variable(7));
        c.check("sub", cuda, EW, EW, x -> x[0].sub(x[1]), c.variable(5, 1), c.variable(5, 7));
        c.check("mul", cuda, EW, EW, x -> x[0].mul(x[1]), c.variable(2, 3, 5), c.variable(3, 1));
        c.check("div", cuda, EW, EW, x -> x[0].div(x[1]), c.variable(4, 9), c.positive(0.5f, 4, 9));
        c.check("maximum (no backward)", cuda, EW, EW, x -> Elementwise.maximum(x[0], x[1]), c.normal(6, 5), c.normal(6, 5));
        c.check("add of transposed views", cuda, EW, EW, x -> x[0].transpose(0, 1).add(x[1]), c.variable(5, 3),
                c.variable(3, 5));
    }

    @Test
    void unaryOps() {
        c.check("neg", cuda, EW, EW, x -> x[0].neg(), c.variable(37));
        c.check("exp", cuda, EW, EW, x -> x[0].exp(), c.variable(3, 11));
        c.check("log", cuda, EW, EW, x -> x[0].log(), c.positive(0.1f, 3, 11));
        c.check("sqrt", cuda, EW, EW, x -> Elementwise.sqrt(x[0]), c.positive(0.1f, 29));
        c.check("silu", cuda, EW, EW, x -> Elementwise.silu(x[0]), c.variable(5, 7));
        c.check("sigmoid", cuda, EW, EW, x -> Elementwise.sigmoid(x[0]), c.variable(5, 7));
        c.check("tanh", cuda, EW, EW, x -> Elementwise.tanh(x[0]), c.variable(5, 7));
        c.check("relu", cuda, EW, EW, x -> Elementwise.relu(x[0]), c.variable(5, 7));
        c.check("abs", cuda, EW, EW, x -> Elementwise.abs(x[0]), c.variable(5, 7));
        c.check("affine", cuda, EW, EW, x -> Elementwise.affine(x[0], -1.5f, 0.25f), c.variable(3, 13));
        c.check("swiglu", cuda, EW, EW, x -> Activations.swiglu(x[0], x[1]), c.variable(3, 17), c.variable(3, 17));
    }

    @Test
    void matmulAndLinear() {
        c.check("matmul [2,5,7]@[7,3]", cuda, ROW, ROW, x -> x[0].matmul(x[1]), c.variable(2, 5, 7), c.variable(7, 3));
        c.check("batched matmul", cuda, ROW, ROW, x -> x[0].matmul(x[1]), c.variable(3, 5, 7), c.variable(3, 7, 6));
        c.check("matmul by a transposed view", cuda, ROW, ROW, x -> x[0].matmul(x[1].transpose(0, 1)),
                c.variable(5, 9), c.variable(4, 9));
        c.check("linear with bias", cuda, ROW, ROW, x -> MatMul.linear(x[0], x[1], x[2]), c.variable(3, 5, 7),
                c.variable(6, 7), c.variable(6));
    }

    @Test
    void reductions() {
        c.check("sum over axes 0, 2", cuda, ROW, ROW, x -> x[0].sum(true, 0, 2), c.variable(3, 4, 5));
        c.check("mean of all", cuda, ROW, ROW, x -> x[0].mean(), c.variable(7, 9));
        c.check("sum over the last axis", cuda, ROW, ROW, x -> x[0].sum(false, -1), c.variable(6, 33));
        c.check("max over axis 1", cuda, EW, EW, x -> Reductions.max(x[0], 1, false), c.variable(3, 7, 5));
        c.check("max over the last axis", cuda, EW, EW, x -> Reductions.max(x[0], -1, true), c.variable(4, 9));
    }

    @Test
    void rowOps() {
        c.check("softmax", cuda, ROW, ROW, x -> Softmax.softmax(x[0]), c.variable(4, 33));
        c.check("logSoftmax", cuda, ROW, ROW, x -> Softmax.logSoftmax(x[0]), c.variable(3, 2, 45));
        c.check("rmsNorm", cuda, ROW, ROW, x -> Norms.rmsNorm(x[0], x[1], 1e-6f), c.variable(3, 5, 24), c.variable(24));
        c.check("rope, per-batch positions", cuda, ROW, ROW, x -> Rope.apply(x[0], x[1], 6, 10000.0),
                c.variable(2, 5, 3, 8), c.ints(40, new int[]{2, 5}, 0));
        c.check("rope, shared positions", cuda, ROW, ROW, x -> Rope.apply(x[0], x[1], 8, 500.0),
                c.variable(1, 7, 2, 8), c.intsOf(new int[]{0, 1, 2, 3, 4, 5, 6}, 7));
    }

    @Test
    void attention() {
        int[] mask = {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1};
        c.check("sdpa GQA with a key mask", cuda, ROW, ROW, x -> Attention.sdpa(x[0], x[1], x[2], false, x[3], Float.NaN),
                c.variable(2, 5, 4, 8), c.variable(2, 6, 2, 8), c.variable(2, 6, 2, 8), c.intsOf(mask, 2, 6));
        c.check("causal sdpa", cuda, ROW, ROW, x -> Attention.sdpa(x[0], x[1], x[2], true, null, 0.3f),
                c.variable(1, 7, 3, 16), c.variable(1, 7, 3, 16), c.variable(1, 7, 3, 16));
    }

    @Test
    void indexingAndLosses() {
        c.check("embedding with repeated ids", cuda, EW, EW, x -> Indexing.embedding(x[0], x[1]), c.variable(11, 6),
                c.intsOf(new int[]{3, 0, 10, 3, 3, 7, 1, 0, 9, 2}, 2, 5));
        c.check("indexPut", cuda, EW, EW, x -> Indexing.indexPut(x[0], x[1], x[2]), c.variable(7, 5),
                c.intsOf(new int[]{6, 0, 3}, 3), c.variable(3, 5));
        c.check("logProbGather with ignored rows", cuda, ROW, ROW, x -> Losses.logProbGather(x[0], x[1], -100),
                c.variable(6, 13), c.ints(13, new int[]{6}, -100, 1, 4));
        c.check("crossEntropy", cuda, ROW, ROW, x -> Losses.crossEntropy(x[0], x[1], -100), c.variable(9, 21),
                c.ints(21, new int[]{9}, -100, 0));
    }

    @Test
    void viewsAndCopies() {
        c.check("transpose + contiguous", cuda, EW, EW, x -> x[0].transpose(0, 2).contiguous(), c.variable(3, 4, 5));
        c.check("permute + reshape", cuda, EW, EW, x -> x[0].permute(2, 0, 1).reshape(5, 12), c.variable(3, 4, 5));
        c.check("slice (its backward writes a strided view)", cuda, EW, EW, x -> x[0].slice(1, 1, 4).mul(x[0].slice(1, 0, 3)),
                c.variable(3, 5, 2));
        c.check("narrow of the last axis", cuda, EW, EW, x -> x[0].narrow(-1, 2, 3).exp(), c.variable(4, 7));
        c.check("concat", cuda, EW, EW, x -> Views.concat(1, x[0], x[1]), c.variable(2, 3, 4), c.variable(2, 5, 4));
        c.check("expand", cuda, EW, EW, x -> x[0].expand(4, 3, 5).mul(x[1]), c.variable(3, 1), c.variable(4, 3, 5));
        c.check("cast to bf16 and back", cuda, 0, 0, x -> Casts.to(Casts.to(x[0], DType.BF16), DType.F32), c.normal(3, 19));
    }
}
