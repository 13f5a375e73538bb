package dev.latentr3.model.latent;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.latentr3.model.qwen2.NumericAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * LatentRATT forward and backward on the "cuda" device (the CPU emulator in the build; a GPU with
 * -Dlatentr3.cuda.emulate=false) against the CPU, at hidden size 320: its one attention head is then wider than the
 * tile kernels' 256, as at real Qwen sizes (896 and up), so this runs the wide attention kernels inside the model's
 * own code path. Left padding, thought positions that differ per row, random hidden states and parameters; the
 * gradients of sum(r * R) reach the hidden states and all six parameters.
 */
class LatentRATTDeviceTest {
    private static final Device CUDA = new Device("cuda", 0);
    static final int D = 320, B = 3, L = 9;
    final int[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    final int[] thought = {9, 6, 8};

    private record Result(float[] r, float[] dHidden, Map<String, float[]> dParameters) {}

    /** Everything built from the same host numbers on {@code device}, with it as the default device. */
    private Result run(Device device, float[] hidden, float[] weights, Map<String, float[]> parameters) {
        try (var on = DefaultDevice.use(device); TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> source = new LinkedHashMap<>();
            parameters.forEach((name, values) -> source.put(name, values.length == D
                    ? Tensor.of(values, D) : Tensor.of(values, D, D)));
            LatentRATT rat = LatentRATT.load(D, source, LatentRATT.PREFIX).requiresGrad(true);
            Tensor h = Tensor.of(hidden, B, L, D).requiresGrad(true);
            Tensor r = rat.forward(h, Tensor.ofInts(mask, B, L), thought);
            assertEquals(device, r.device(), "r is computed on the device");
            r.mul(Tensor.of(weights, B, D)).sum().backward();
            Map<String, float[]> grads = new LinkedHashMap<>();
            rat.namedParameters().forEach((name, p) -> grads.put(name, p.grad().toFloatArray()));
            return new Result(r.toFloatArray(), h.grad().toFloatArray(), grads);
        }
    }

    @Test
    void forwardAndGradientsOnTheDeviceMatchTheCpu() {
        assumeTrue(Backends.available(CUDA), () -> "device cuda unavailable: " + Backends.unavailableReason(CUDA));
        Random random = new Random(11);
        float[] hidden = new float[B * L * D], weights = new float[B * D];
        for (int i = 0; i < hidden.length; i++) hidden[i] = (float) random.nextGaussian();
        for (int i = 0; i < weights.length; i++) weights[i] = (float) random.nextGaussian();
        // Weights N(0, 0.1^2): scores q.k / sqrt(d) of a few units, so the attention is far from uniform.
        Map<String, float[]> parameters = new LinkedHashMap<>();
        for (String p : List.of("query", "key", "value")) {
            float[] w = new float[D * D], b = new float[D];
            for (int i = 0; i < w.length; i++) w[i] = (float) (0.1 * random.nextGaussian());
            for (int i = 0; i < b.length; i++) b[i] = (float) (0.1 * random.nextGaussian());
            parameters.put(LatentRATT.PREFIX + p + ".weight", w);
            parameters.put(LatentRATT.PREFIX + p + ".bias", b);
        }
        Result cpu = run(Device.CPU, hidden, weights, parameters);
        Result dev = run(CUDA, hidden, weights, parameters);
        // F32 on both sides, sums of up to 320 products in different orders: ~1e-6 relative.
        assertClose("r", cpu.r, dev.r, 1e-4);
        assertClose("d/d hidden", cpu.dHidden, dev.dHidden, 1e-4);
        cpu.dParameters.forEach((name, g) -> assertClose("d/d " + name, g, dev.dParameters.get(name), 1e-4));
    }
}
