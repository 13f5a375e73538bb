package dev.latentr3.engine.device;

import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.nn.Linear;
import dev.latentr3.engine.nn.Module;
import dev.latentr3.engine.nn.RMSNorm;
import dev.latentr3.engine.ops.Elementwise;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.optim.GradClip;
import dev.latentr3.engine.random.Rng;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same training code on the CPU and on the device, by changing only the device: a small MLP classifier (linear,
 * RMSNorm, SiLU, linear, cross-entropy with ignored rows) trained with gradient clipping and AdamW. The models start
 * from the same seed (random fills are device-independent), so losses and final weights must agree within float
 * tolerance.
 */
class DeviceTrainingTest {

    static final class Mlp extends Module {
        final Linear in, out;
        final RMSNorm norm;

        Mlp(int inputs, int hidden, int classes, Rng rng) {
            in = child("in", new Linear(inputs, hidden, true, 0.3f, rng.fork("in")));
            norm = child("norm", new RMSNorm(hidden, 1e-6f));
            out = child("out", new Linear(hidden, classes, false, 0.3f, rng.fork("out")));
        }

        Tensor logits(Tensor x) {
            return out.forward(Elementwise.silu(norm.forward(in.forward(x))));
        }
    }

    private record Trained(List<Float> losses, List<Double> norms, Map<String, float[]> weights) {}

    private static Trained train(Device device, int inputs, int hidden, int classes, int rows, int steps) {
        Mlp model;
        try (var on = DefaultDevice.use(device)) {
            model = new Mlp(inputs, hidden, classes, Rng.seeded(2024));
        }
        AdamW opt = new AdamW(model.namedParameters(), AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        Rng data = Rng.seeded(7);
        List<Float> losses = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            try (var scope = TensorScope.open()) {
                Tensor x = data.normal(Tensor.empty(Device.CPU, rows, inputs), 0f, 1f).to(device);
                int[] t = new int[rows];
                for (int r = 0; r < rows; r++) t[r] = r % 5 == 4 ? -100 : data.nextInt(classes);
                Tensor targets = Tensor.ofInts(t, rows).to(device);
                Tensor loss = Losses.crossEntropy(model.logits(x), targets, -100);
                loss.backward();
                norms.add(GradClip.clipGlobalNorm(model.parameters(), 1.0));
                opt.step(3e-2);
                opt.zeroGrad();
                losses.add(loss.item());
            }
        }
        Map<String, float[]> weights = new java.util.LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            assertEquals(device, p.device(), name);
            weights.put(name, p.toFloatArray());
        });
        return new Trained(losses, norms, weights);
    }

    private static void compare(Trained cpu, Trained dev, double tol) {
        for (int i = 0; i < cpu.losses.size(); i++) {
            assertEquals(cpu.losses.get(i), dev.losses.get(i), tol * (1 + Math.abs(cpu.losses.get(i))), "loss at step " + i);
            assertEquals(cpu.norms.get(i), dev.norms.get(i), tol * (1 + cpu.norms.get(i)), "gradient norm at step " + i);
        }
        for (var e : cpu.weights.entrySet()) {
            DeviceComparison.compare("weight " + e.getKey(), e.getValue(), dev.weights.get(e.getKey()), tol, tol);
        }
        assertTrue(cpu.losses.getLast() < cpu.losses.getFirst(), "training reduced the loss: " + cpu.losses);
    }

    @Test
    void mlpTrainsTheSameOnTheDevice() {
        Device cuda = TestDevices.cuda();
        compare(train(Device.CPU, 7, 12, 5, 10, 8), train(cuda, 7, 12, 5, 10, 8), 1e-4);
    }

    /** Shapes the emulator cannot afford in the build: only on a GPU. */
    @Test
    @Tag("gpu")
    void widerMlpTrainsTheSameOnTheGpu() {
        Device gpu = TestDevices.gpu();
        compare(train(Device.CPU, 256, 1024, 512, 384, 20), train(gpu, 256, 1024, 512, 384, 20), 2e-3);
    }
}
