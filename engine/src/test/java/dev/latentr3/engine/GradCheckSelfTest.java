package dev.latentr3.engine;

import dev.latentr3.engine.ops.Elementwise;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker itself: it must reject a wrong chain rule and say where, or every passing gradient test means nothing. */
class GradCheckSelfTest {

    /** exp with a deliberately wrong backward (it forgets the factor exp(x)). */
    private static Tensor expWithWrongBackward(Tensor x) {
        Tensor out = Elementwise.exp(x.detach());
        return Tensor.record("wrongExp", out, g -> new Tensor[]{g}, x);
    }

    /** A correct gradient that misses one element (as a misrouted index would). */
    private static Tensor scaleDroppingOneElement(Tensor x) {
        Tensor out = x.detach().scale(2f);
        return Tensor.record("dropsOne", out, g -> {
            Tensor d = g.scale(2f).contiguous();
            d.data().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4, 0f);
            return new Tensor[]{d};
        }, x);
    }

    @Test
    void rejectsAWrongChainRule() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> GradCheck.of("wrongExp", in -> expWithWrongBackward(in[0])).input(3, 5).check());
        assertTrue(e.getMessage().startsWith("wrongExp: gradient of input 0 [3, 5]"), e.getMessage());
    }

    @Test
    void pointsAtTheWrongElement() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> GradCheck.of("dropsOne", in -> scaleDroppingOneElement(in[0])).input(3, 3).check());
        assertTrue(e.getMessage().contains("element 4:"), e.getMessage());
    }

    @Test
    void rejectsAMissingGradient() {
        // The second input matters to the output but its backward returns null.
        assertThrows(AssertionFailedError.class, () -> GradCheck.of("missing", in -> {
            Tensor out = in[0].detach().mul(in[1].detach());
            return Tensor.record("missing", out, g -> new Tensor[]{g.mul(in[1]), null}, in[0], in[1]);
        }).input(3).input(3).check());
    }
}
