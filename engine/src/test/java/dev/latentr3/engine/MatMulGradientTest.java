package dev.latentr3.engine;

import dev.latentr3.engine.ops.MatMul;
import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks of matmul (plain, transposed views, batched) and linear. */
class MatMulGradientTest {

    @Test
    void matmul() {
        GradCheck.of("matmul", in -> in[0].matmul(in[1])).input(3, 5).input(5, 7).check();
    }

    @Test
    void matmulOfTransposedViews() {
        GradCheck.of("matmul a^T b", in -> in[0].transpose(0, 1).matmul(in[1])).input(5, 3).input(5, 7).check();
        GradCheck.of("matmul a b^T", in -> in[0].matmul(in[1].transpose(0, 1))).input(3, 5).input(7, 5).check();
    }

    @Test
    void batchedMatmul() {
        GradCheck.of("batched matmul", in -> in[0].matmul(in[1])).input(2, 3, 5).input(2, 5, 7).check();
        GradCheck.of("batched times shared", in -> in[0].matmul(in[1])).input(2, 3, 5).input(5, 7).check();
    }

    @Test
    void batchedMatmulOfTransposedViews() {
        GradCheck.of("batched a^T b", in -> in[0].transpose(-1, -2).matmul(in[1])).input(3, 5, 3).input(3, 5, 7).check();
        GradCheck.of("heads-first view", in -> in[0].permute(0, 2, 1, 3).matmul(in[1].permute(0, 2, 3, 1)))
                .input(2, 3, 3, 5).input(2, 7, 3, 5).check();
    }

    @Test
    void batchedMatmulOfAPermutedOperand() {
        // a's batch is the middle dimension of its storage: its rows are not one evenly spaced run.
        GradCheck.of("permuted a times shared", in -> in[0].permute(1, 0, 2).matmul(in[1])).input(3, 2, 5).input(5, 7)
                .check();
        GradCheck.of("expanded a", in -> in[0].expand(2, 3, 5).matmul(in[1])).input(3, 5).input(2, 5, 7).check();
    }

    @Test
    void linearWithBias() {
        GradCheck.of("linear", in -> MatMul.linear(in[0], in[1], in[2])).input(3, 5).input(7, 5).input(7).check();
        GradCheck.of("linear 3-D input", in -> MatMul.linear(in[0], in[1], in[2])).input(2, 3, 5).input(7, 5).input(7)
                .check();
    }

    @Test
    void linearWithoutBias() {
        GradCheck.of("linear no bias", in -> MatMul.linear(in[0], in[1], null)).input(3, 5).input(7, 5).check();
        GradCheck.of("linear of transposed input", in -> MatMul.linear(in[0].transpose(0, 1), in[1], null))
                .input(5, 3, 5).input(7, 5).check();
        GradCheck.of("linear transposed weight", in -> MatMul.linear(in[0], in[1].transpose(0, 1), null))
                .input(3, 5).input(5, 7).check();
    }
}
