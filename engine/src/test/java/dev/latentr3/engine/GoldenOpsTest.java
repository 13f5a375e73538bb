package dev.latentr3.engine;

import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Activations;
import dev.latentr3.engine.ops.Attention;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Norms;
import dev.latentr3.engine.ops.Rope;
import dev.latentr3.engine.ops.Softmax;
import dev.latentr3.engine.ops.Views;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each op's value and input gradients against PyTorch, one case per golden file (see
 * {@code src/test/goldens/README.md}: the files are committed, so this test needs no Python).
 *
 * <p>The goldens are float64 results rounded to float32, so the tolerance only covers the engine's float32
 * arithmetic: {@code |got - want| <= ATOL + RTOL * |want|} with ATOL 1e-5 and RTOL 1e-4, room for reordered sums
 * of a few dozen O(1) terms (float32 epsilon is 1.2e-7). The losses' reductions over a 997-word vocabulary
 * stay inside the same bound.
 */
class GoldenOpsTest {
    private static final double ATOL = 1e-5, RTOL = 1e-4;

    static List<String> cases() {
        return GoldenCase.index();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) {
        GoldenCase c = GoldenCase.load(name);
        try (var scope = TensorScope.open()) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            c.inputs().forEach((inputName, stored) -> in.put(inputName, stored.toInput()));

            Tensor out = run(c, in);
            assertClose(c, "output", c.output(), out);

            out.backward(c.seed().toConstant());
            c.grads().forEach((inputName, want) -> {
                Tensor got = in.get(inputName).grad();
                assertNotNull(got, name + ": input " + inputName + " received no gradient");
                assertClose(c, "gradient of " + inputName, want, got);
            });
        }
    }

    /** Calls the engine op the case names, with the case's inputs and parameters. */
    private static Tensor run(GoldenCase c, Map<String, Tensor> in) {
        return switch (c.op()) {
            case "add" -> in.get("a").add(in.get("b"));
            case "sub" -> in.get("a").sub(in.get("b"));
            case "mul" -> in.get("a").mul(in.get("b"));
            case "div" -> in.get("a").div(in.get("b"));
            case "exp" -> in.get("x").exp();
            case "log" -> in.get("x").log();
            case "sum" -> in.get("x").sum(c.flag("keepDim"), c.intsParam("axes"));
            case "mean" -> in.get("x").mean(c.flag("keepDim"), c.intsParam("axes"));
            case "max" -> in.get("x").max(c.intParam("axis"), c.flag("keepDim"));
            case "matmul" -> transposedIf(in.get("a"), c.flag("transposeA")).matmul(transposedIf(in.get("b"), c.flag("transposeB")));
            case "linear" -> MatMul.linear(in.get("x"), in.get("w"), in.get("bias"));
            case "rmsNorm" -> Norms.rmsNorm(in.get("x"), in.get("weight"), c.floatParam("eps"));
            case "rope" -> Rope.apply(in.get("x"), in.get("positions"), c.intParam("rotaryDim"), c.floatParam("theta"));
            case "swiglu" -> Activations.swiglu(in.get("gate"), in.get("up"));
            case "softmax" -> Softmax.softmax(in.get("x"));
            case "logSoftmax" -> Softmax.logSoftmax(in.get("x"));
            case "attention" -> Attention.sdpa(in.get("q"), in.get("k"), in.get("v"), c.flag("causal"),
                    in.get("keyMask"), c.floatParam("scale"));
            case "logProbGather" -> Losses.logProbGather(in.get("logits"), in.get("targets"), c.intParam("ignoreIndex"));
            case "crossEntropy" -> Losses.crossEntropy(in.get("logits"), in.get("targets"), c.intParam("ignoreIndex"));
            case "embedding" -> Indexing.embedding(in.get("table"), in.get("ids"));
            case "indexPut" -> Indexing.indexPut(in.get("base"), in.get("rows"), in.get("values"));
            case "concat" -> Views.concat(c.intParam("dim"), in.values().toArray(Tensor[]::new));
            default -> throw new IllegalStateException("golden " + c.name() + ": no engine op for '" + c.op() + "'");
        };
    }

    /** The last two dimensions swapped as a view: the op sees a transposed (non-contiguous) operand. */
    private static Tensor transposedIf(Tensor t, boolean transpose) {
        return transpose ? t.transpose(-1, -2) : t;
    }

    /** Shape equality, then every element within tolerance; a failure names the case, the tensor and the worst element. */
    private static void assertClose(GoldenCase c, String what, GoldenCase.Stored want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape(), c.name() + ": shape of " + what);
        float[] g = got.toFloatArray();
        float[] w = want.floats();
        int worst = -1, failing = 0;
        double worstExcess = 0;
        for (int i = 0; i < w.length; i++) {
            double diff = Math.abs((double) g[i] - w[i]);
            double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff - (ATOL + RTOL * Math.abs(w[i]));
            if (excess > 0) {
                failing++;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (worst >= 0) {
            fail(c.name() + ": " + what + " " + Arrays.toString(want.shape()) + ": " + failing + " of " + w.length
                    + " elements differ from PyTorch; worst at index " + Arrays.toString(unravel(worst, want.shape()))
                    + ": got " + g[worst] + ", want " + w[worst] + " (tolerance " + ATOL + " + " + RTOL + " * |want|)");
        }
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
