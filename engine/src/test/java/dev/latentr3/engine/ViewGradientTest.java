package dev.latentr3.engine;

import dev.latentr3.engine.ops.Views;
import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks of the view and layout ops. */
class ViewGradientTest {

    @Test
    void reshape() {
        GradCheck.of("reshape", in -> in[0].reshape(5, -1)).input(3, 5).check();
        GradCheck.of("reshape of transposed", in -> in[0].transpose(0, 1).reshape(15)).input(3, 5).check();
    }

    @Test
    void transpose() {
        GradCheck.of("transpose", in -> in[0].transpose(0, 2)).input(3, 5, 7).check();
    }

    @Test
    void permute() {
        GradCheck.of("permute", in -> in[0].permute(2, 0, 1)).input(3, 5, 7).check();
    }

    @Test
    void slice() {
        GradCheck.of("slice", in -> in[0].slice(1, 1, 4)).input(3, 5, 3).check();
        GradCheck.of("narrow of last", in -> in[0].narrow(-1, 2, 3)).input(3, 7).check();
    }

    @Test
    void expand() {
        GradCheck.of("expand", in -> in[0].expand(3, 5, 7)).input(5, 1).check();
    }

    @Test
    void unsqueezeAndSqueeze() {
        GradCheck.of("unsqueeze", in -> in[0].unsqueeze(1)).input(3, 5).check();
        GradCheck.of("squeeze", in -> in[0].squeeze(1)).input(3, 1, 5).check();
    }

    @Test
    void concat() {
        GradCheck.of("concat middle", in -> Views.concat(1, in[0], in[1], in[2])).input(3, 2, 5).input(3, 1, 5)
                .input(3, 3, 5).check();
        GradCheck.of("concat last", in -> Views.concat(-1, in[0], in[1])).input(3, 5).input(3, 2).check();
    }

    @Test
    void contiguous() {
        GradCheck.of("contiguous", in -> in[0].permute(1, 0, 2).contiguous()).input(3, 5, 3).check();
    }
}
