package dev.latentr3.engine.memory;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;

import java.util.Arrays;

/**
 * Tensors that must outlive any {@link TensorScope} open on this thread: parameters and optimizer state. Built
 * with {@link Storage#owned} so that creating a model or an optimizer inside a training step's scope cannot tie
 * their memory to that step.
 */
public final class OwnedTensors {
    private OwnedTensors() {}

    /** An owned F32 tensor of zeros. */
    public static Tensor zeros(int... shape) {
        return full(0f, shape);
    }

    /** An owned F32 tensor with every element set to value. */
    public static Tensor full(float value, int... shape) {
        int[] s = shape.clone();
        for (int d : s) {
            if (d < 0) throw new IllegalArgumentException("OwnedTensors: negative dimension in shape " + Arrays.toString(s));
        }
        Tensor t = new Tensor(Storage.owned(Shapes.numel(s) * DType.F32.byteSize()), DType.F32, s,
                Shapes.contiguousStrides(s), 0);
        t.backend().elementwise().fill(t.numel(), value, t.data());
        return t;
    }
}
