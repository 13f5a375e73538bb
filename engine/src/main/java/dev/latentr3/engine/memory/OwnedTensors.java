package dev.latentr3.engine.memory;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.Views;

import java.util.Arrays;

/**
 * Tensors that must outlive any {@link TensorScope} open on this thread: parameters, optimizer state, loaded weights
 * and KV caches. Built with {@link Storage#owned} so that creating a model, an optimizer or a cache inside a training
 * step's scope cannot tie their memory to that step.
 */
public final class OwnedTensors {
    private OwnedTensors() {}

    /** Uninitialised owned, contiguous memory of any dtype, on the default device. */
    public static Tensor empty(DType dtype, int... shape) {
        return empty(DefaultDevice.current(), dtype, shape);
    }

    /** Uninitialised owned, contiguous memory of any dtype on {@code device}. */
    public static Tensor empty(Device device, DType dtype, int... shape) {
        int[] s = shape.clone();
        for (int d : s) {
            if (d < 0) throw new IllegalArgumentException("OwnedTensors: negative dimension in shape " + Arrays.toString(s));
        }
        return new Tensor(Storage.owned(device, Shapes.numel(s) * dtype.byteSize()), dtype, s, Shapes.contiguousStrides(s), 0);
    }

    /** An owned, contiguous copy of src (any layout, same dtype, same device), off the tape. */
    public static Tensor copyOf(Tensor src) {
        Tensor out = empty(src.device(), src.dtype(), src.shape());
        Views.copyInto(out, src);
        return out;
    }

    /** An owned F32 tensor of zeros on the default device. */
    public static Tensor zeros(int... shape) {
        return full(0f, shape);
    }

    /** An owned F32 tensor of zeros on {@code device}. */
    public static Tensor zeros(Device device, int... shape) {
        return full(device, 0f, shape);
    }

    /** An owned F32 tensor with every element set to value, on the default device. */
    public static Tensor full(float value, int... shape) {
        return full(DefaultDevice.current(), value, shape);
    }

    public static Tensor full(Device device, float value, int... shape) {
        Tensor t = empty(device, DType.F32, shape);
        t.backend().elementwise().fill(t.numel(), value, t.data());
        return t;
    }
}
