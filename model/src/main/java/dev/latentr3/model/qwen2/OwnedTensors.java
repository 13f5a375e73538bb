package dev.latentr3.model.qwen2;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.Storage;
import dev.latentr3.engine.ops.Views;

/**
 * Tensors that outlive any {@code TensorScope} open on this thread (weights, KV caches), allocated with
 * {@link Storage#owned} so that building a model or a cache inside a step's scope cannot tie it to that step.
 */
public final class OwnedTensors {
    private OwnedTensors() {}

    /** Uninitialised owned, contiguous memory. */
    public static Tensor empty(DType dtype, int... shape) {
        int[] s = shape.clone();
        return new Tensor(Storage.owned(Shapes.numel(s) * dtype.byteSize()), dtype, s, Shapes.contiguousStrides(s), 0);
    }

    /** An owned, contiguous copy of src (any layout, same dtype), off the tape. */
    public static Tensor copyOf(Tensor src) {
        Tensor out = empty(src.dtype(), src.shape());
        Views.copyInto(out, src);
        return out;
    }
}
