package dev.latentr3.engine.nn;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.random.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleTest {

    /** Two levels of nesting, to check paths and order. */
    static final class Block extends Module {
        final Tensor scale;
        final Linear proj;
        final RMSNorm norm;

        Block(Rng rng) {
            scale = parameter("scale", 3);
            proj = child("proj", new Linear(3, 2, true, 0.02f, rng.fork("proj")));
            norm = child("norm", new RMSNorm(2, 1e-6f));
        }
    }

    static final class Net extends Module {
        Net(Rng rng) {
            child("embed", new Embedding(5, 3, 0.02f, rng.fork("embed")));
            child("blocks.0", new Block(rng.fork("blocks.0")));
            child("blocks.1", new Block(rng.fork("blocks.1")));
        }
    }

    @Test
    void parametersAreListedInOrderUnderDottedPaths() {
        Net net = new Net(Rng.seeded(1));
        List<String> expected = List.of("embed.weight",
                "blocks.0.scale", "blocks.0.proj.weight", "blocks.0.proj.bias", "blocks.0.norm.weight",
                "blocks.1.scale", "blocks.1.proj.weight", "blocks.1.proj.bias", "blocks.1.norm.weight");
        assertEquals(expected, List.copyOf(net.namedParameters().keySet()));
        net.namedParameters().forEach((path, p) -> {
            assertEquals(path, p.name(), "a parameter is named by its path (for error messages)");
            assertTrue(p.requiresGrad(), path);
        });
        assertEquals(5 * 3 + 2 * (3 + 2 * 3 + 2 + 2), net.parameterCount());
    }

    @Test
    void registeringANameTwiceFails() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                parameter("w", 2);
                parameter("w", 2);
            }
        });
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    }

    @Test
    void parametersOutliveTheScopeTheModuleWasBuiltIn() {
        Linear layer;
        try (var scope = TensorScope.open()) {
            layer = new Linear(4, 3, true, 0.02f, Rng.seeded(2));
        }
        assertEquals(12, layer.weight().toFloatArray().length); // would throw if the memory had been freed
    }

    @Test
    void linearComputesXTimesWeightTransposedPlusBias() {
        Linear layer = new Linear(3, 2, true, 0.5f, Rng.seeded(3));
        Rng.seeded(4).normal(layer.bias(), 0f, 1f);
        float[] x = {1f, -2f, 0.5f, 0.25f, 3f, -1f};
        float[] w = layer.weight().toFloatArray(), b = layer.bias().toFloatArray();
        float[] y = layer.forward(Tensor.of(x, 2, 3)).toFloatArray();
        for (int r = 0; r < 2; r++) {
            for (int o = 0; o < 2; o++) {
                double want = b[o];
                for (int i = 0; i < 3; i++) want += (double) x[r * 3 + i] * w[o * 3 + i];
                assertEquals(want, y[r * 2 + o], 1e-5, "y[" + r + "," + o + "]");
            }
        }
        assertNull(new Linear(3, 2, false, 0.02f, Rng.seeded(3)).bias());
    }

    @Test
    void linearInitIsNormalWithTheGivenStdAndZeroBias() {
        Linear a = new Linear(256, 256, true, 0.02f, Rng.seeded(5));
        float[] w = a.weight().toFloatArray();
        double sum = 0, sumSq = 0;
        for (float v : w) {
            sum += v;
            sumSq += (double) v * v;
        }
        double mean = sum / w.length, std = Math.sqrt(sumSq / w.length - mean * mean);
        assertEquals(0, mean, 0.0005); // std of the mean: 0.02 / 256
        assertEquals(0.02, std, 0.0005);
        assertArrayEquals(new float[256], a.bias().toFloatArray());
        assertArrayEquals(w, new Linear(256, 256, true, 0.02f, Rng.seeded(5)).weight().toFloatArray());
    }

    @Test
    void embeddingLooksUpRows() {
        Embedding e = new Embedding(4, 3, 1f, Rng.seeded(6));
        float[] table = e.weight().toFloatArray();
        float[] out = e.forward(Tensor.ofInts(new int[]{2, 0, 2}, 3)).toFloatArray();
        for (int i = 0; i < 3; i++) {
            int row = new int[]{2, 0, 2}[i];
            for (int j = 0; j < 3; j++) assertEquals(table[row * 3 + j], out[i * 3 + j]);
        }
    }

    @Test
    void rmsNormStartsAsPlainRootMeanSquareScaling() {
        RMSNorm norm = new RMSNorm(4, 1e-6f);
        assertArrayEquals(new float[]{1, 1, 1, 1}, norm.weight().toFloatArray());
        float[] x = {1f, -2f, 3f, 0.5f};
        double ms = (1 + 4 + 9 + 0.25) / 4;
        float[] y = norm.forward(Tensor.of(x, 1, 4)).toFloatArray();
        for (int i = 0; i < 4; i++) assertEquals(x[i] / Math.sqrt(ms + 1e-6), y[i], 1e-5);
    }
}
