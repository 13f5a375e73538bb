package dev.latentr3.engine;

import dev.latentr3.engine.autograd.GradMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tape's contract: accumulation, zeroing, no-grad regions, detach, fan-out, and errors on misuse. */
class AutogradTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(1f, -2f, 3f);
        x.mul(x).sum().backward(); // d/dx sum(x^2) = 2x
        assertArrayEquals(new float[]{2f, -4f, 6f}, x.grad().toFloatArray());
        x.mul(x).sum().backward(); // a fresh graph: adds another 2x
        assertArrayEquals(new float[]{4f, -8f, 12f}, x.grad().toFloatArray());
    }

    @Test
    void zeroGradStartsTheNextBackwardFromZero() {
        Tensor x = leaf(1f, 2f);
        x.scale(3f).sum().backward();
        x.zeroGrad();
        assertNull(x.grad());
        x.scale(5f).sum().backward();
        assertArrayEquals(new float[]{5f, 5f}, x.grad().toFloatArray());
        x.zeroGradInPlace();
        assertArrayEquals(new float[]{0f, 0f}, x.grad().toFloatArray());
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = leaf(1f, 2f);
        Tensor y;
        try (var off = GradMode.noGrad()) {
            y = x.exp().mul(x).sum();
        }
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        assertTrue(GradMode.isEnabled(), "closing the no-grad handle restores recording");
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void detachStopsGradients() {
        Tensor x = leaf(2f, 3f);
        // y = x * detach(x): only the first factor carries gradient, so dy/dx = detach(x) = x, not 2x.
        x.mul(x.detach()).sum().backward();
        assertArrayEquals(new float[]{2f, 3f}, x.grad().toFloatArray());
        assertFalse(x.detach().requiresGrad());
    }

    @Test
    void aTensorUsedTwiceGetsTheSumOfBothGradients() {
        Tensor x = leaf(1f, 2f, 3f);
        Tensor h = x.scale(2f);            // used by two branches below
        h.exp().add(h.scale(3f)).sum().backward();
        float[] g = x.grad().toFloatArray();
        float[] xs = {1f, 2f, 3f};
        for (int i = 0; i < 3; i++) {
            float want = 2f * ((float) Math.exp(2 * xs[i]) + 3f);
            assertTrue(Math.abs(g[i] - want) <= 1e-5f * Math.abs(want), "element " + i + ": " + g[i] + " vs " + want);
        }
    }

    @Test
    void backwardTwiceThroughAFreedGraphFailsClearly() {
        Tensor x = leaf(1f, 2f);
        Tensor loss = x.exp().sum();
        loss.backward();
        float[] first = x.grad().toFloatArray();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("already freed"), e.getMessage());
        assertTrue(e.getMessage().startsWith("sum"), "names the op: " + e.getMessage());
        assertArrayEquals(first, x.grad().toFloatArray(), "the failed backward changed no gradient");
    }

    @Test
    void backwardOfANonScalarNeedsAnOutputGradient() {
        Tensor x = leaf(1f, 2f, 3f);
        Tensor y = x.scale(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("not a scalar"), e.getMessage());
        assertTrue(e.getMessage().contains("[3]"), "names the shape: " + e.getMessage());
        y.backward(Tensor.of(new float[]{1f, 10f, 100f}, 3));
        assertArrayEquals(new float[]{2f, 20f, 200f}, x.grad().toFloatArray());
    }

    @Test
    void anOutputGradientOfTheWrongShapeIsRejected() {
        Tensor y = leaf(1f, 2f, 3f).scale(2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.zeros(2)));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void inputsThatDoNotRequireGradGetNone() {
        Tensor x = leaf(1f, 2f);
        Tensor c = Tensor.of(new float[]{3f, 4f}, 2);
        x.mul(c).sum().backward();
        assertNotNull(x.grad());
        assertNull(c.grad());
        assertArrayEquals(new float[]{3f, 4f}, x.grad().toFloatArray());
    }
}
