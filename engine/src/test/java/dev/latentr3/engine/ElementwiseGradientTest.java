package dev.latentr3.engine;

import dev.latentr3.engine.ops.Elementwise;
import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks of the element-wise ops, with broadcasting in both directions. */
class ElementwiseGradientTest {

    @Test
    void addBroadcastsBothWays() {
        GradCheck.of("add", in -> in[0].add(in[1])).input(3, 1, 5).input(7, 1).check();
        GradCheck.of("add same shape", in -> in[0].add(in[1])).input(3, 5).input(3, 5).check();
    }

    @Test
    void subBroadcasts() {
        GradCheck.of("sub", in -> in[0].sub(in[1])).input(5).input(3, 5).check();
    }

    @Test
    void mulBroadcasts() {
        GradCheck.of("mul", in -> in[0].mul(in[1])).input(3, 5).input(3, 1).check();
    }

    @Test
    void mulOfATensorWithItself() {
        GradCheck.of("mul x*x", in -> in[0].mul(in[0])).input(3, 5).check();
    }

    @Test
    void divBroadcasts() {
        GradCheck.of("div", in -> in[0].div(in[1])).input(3, 5).positiveInput(5).check();
        GradCheck.of("div by broadcast column", in -> in[0].div(in[1])).input(1, 5).positiveInput(3, 1).check();
    }

    @Test
    void neg() {
        GradCheck.of("neg", in -> in[0].neg()).input(3, 5).check();
    }

    @Test
    void exp() {
        GradCheck.of("exp", in -> in[0].exp()).input(3, 5).check();
    }

    @Test
    void log() {
        GradCheck.of("log", in -> in[0].log()).positiveInput(3, 5).check();
    }

    @Test
    void sqrt() {
        GradCheck.of("sqrt", in -> Elementwise.sqrt(in[0])).positiveInput(3, 5).check();
    }

    @Test
    void affineAndScale() {
        GradCheck.of("affine", in -> Elementwise.affine(in[0], -1.7f, 0.3f)).input(3, 5).check();
        GradCheck.of("scale", in -> in[0].scale(2.5f)).input(7).check();
        GradCheck.of("addScalar", in -> in[0].addScalar(4f)).input(7).check();
    }

    @Test
    void smoothActivations() {
        GradCheck.of("silu", in -> Elementwise.silu(in[0])).input(3, 5).check();
        GradCheck.of("sigmoid", in -> Elementwise.sigmoid(in[0])).input(3, 5).check();
        GradCheck.of("tanh", in -> Elementwise.tanh(in[0])).input(3, 5).check();
    }

    @Test
    void kinkedActivationsAwayFromTheKink() {
        GradCheck.of("relu", in -> Elementwise.relu(in[0])).separatedInput(3, 5).check();
        GradCheck.of("abs", in -> Elementwise.abs(in[0])).separatedInput(3, 5).check();
    }

    @Test
    void opsOnStridedViews() {
        // Inputs reach the kernels as transposed and broadcast views, not only as contiguous blocks.
        GradCheck.of("mul of transposed", in -> in[0].transpose(0, 1).mul(in[1])).input(5, 3).input(3, 5).check();
        GradCheck.of("exp of transposed", in -> in[0].transpose(0, 1).exp()).input(5, 3).check();
    }
}
