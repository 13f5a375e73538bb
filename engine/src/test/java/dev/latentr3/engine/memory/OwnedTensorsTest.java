package dev.latentr3.engine.memory;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.Views;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OwnedTensorsTest {

    @Test
    void copyOfAViewIsContiguousAndOutlivesTheScopeItWasMadeIn() {
        Tensor copy;
        try (TensorScope scope = TensorScope.open()) {
            Tensor m = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
            copy = OwnedTensors.copyOf(m.transpose(0, 1)); // [[1, 4], [2, 5], [3, 6]]
        }
        assertArrayEquals(new int[]{3, 2}, copy.shape());
        assertArrayEquals(new long[]{2, 1}, copy.strides());
        assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, copy.toFloatArray());
    }

    @Test
    void emptyTakesAnyDtypeOutlivesItsScopeAndRefusesNegativeDimensions() {
        Tensor ids;
        try (TensorScope scope = TensorScope.open()) {
            ids = OwnedTensors.empty(DType.I32, 2, 2);
            Views.copyInto(ids, Tensor.ofInts(new int[]{7, 8, 9, 10}, 2, 2));
        }
        assertArrayEquals(new int[]{7, 8, 9, 10}, ids.toIntArray());
        assertThrows(IllegalArgumentException.class, () -> OwnedTensors.empty(DType.F32, 2, -1));
    }
}
