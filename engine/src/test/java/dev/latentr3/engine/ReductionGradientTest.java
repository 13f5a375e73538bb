package dev.latentr3.engine;

import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks of sum, mean and max. */
class ReductionGradientTest {

    @Test
    void sumOfAll() {
        GradCheck.of("sum", in -> in[0].sum()).input(3, 5).check();
    }

    @Test
    void sumOverAxes() {
        GradCheck.of("sum axis 1", in -> in[0].sum(false, 1)).input(3, 5, 7).check();
        GradCheck.of("sum axes 0,2 keepDim", in -> in[0].sum(true, 0, 2)).input(3, 5, 7).check();
        GradCheck.of("sum last of transposed", in -> in[0].transpose(0, 1).sum(false, -1)).input(3, 5).check();
    }

    @Test
    void mean() {
        GradCheck.of("mean", in -> in[0].mean()).input(3, 5).check();
        GradCheck.of("mean axis -1 keepDim", in -> in[0].mean(true, -1)).input(3, 5, 7).check();
    }

    @Test
    void maxOverAnAxis() {
        GradCheck.of("max axis 1", in -> in[0].max(1, false)).separatedInput(3, 5, 7).check();
        GradCheck.of("max axis -1 keepDim", in -> in[0].max(-1, true)).separatedInput(3, 5).check();
        GradCheck.of("max axis 0", in -> in[0].max(0, false)).separatedInput(3, 5).check();
    }
}
