package dev.latentr3.engine.ops;

import dev.latentr3.engine.Tensor;
import dev.latentr3.kernels.RowKernels;

import java.lang.foreign.MemorySegment;

/** Softmax and log-softmax over the last dimension; both backwards need only the forward output. */
public final class Softmax {
    private Softmax() {}

    public static Tensor softmax(Tensor x) {
        return overRows("softmax", x, RowKernels::softmax, RowKernels::softmaxBackward);
    }

    public static Tensor logSoftmax(Tensor x) {
        return overRows("logSoftmax", x, RowKernels::logSoftmax, RowKernels::logSoftmaxBackward);
    }

    @FunctionalInterface
    private interface RowForward {
        void run(RowKernels k, int rows, int cols, MemorySegment x, MemorySegment y);
    }

    @FunctionalInterface
    private interface RowBackward {
        void run(RowKernels k, int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx);
    }

    private static Tensor overRows(String op, Tensor x, RowForward forward, RowBackward backward) {
        Elementwise.requireF32(op, x);
        if (x.dim() < 1 || x.size(-1) == 0) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + " needs a non-empty last dimension");
        }
        int cols = x.size(-1);
        int rows = Math.toIntExact(x.numel() / cols);
        Tensor xc = x.contiguous();
        Tensor out = Tensor.empty(x.device(), x.shape());
        forward.run(x.backend().rows(), rows, cols, xc.data(), out.data());
        return Tensor.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(x.device(), x.shape());
            backward.run(x.backend().rows(), rows, cols, out.data(), gc.data(), dx.data());
            return new Tensor[]{dx};
        }, x);
    }
}
