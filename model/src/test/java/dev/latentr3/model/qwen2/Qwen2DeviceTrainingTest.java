package dev.latentr3.model.qwen2;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.DeviceMemory;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.optim.GradClip;
import dev.latentr3.model.config.Qwen2Config;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A tiny two-layer Qwen2 trained for a few steps with AdamW on the CPU and on the "cuda" device (the emulator in the
 * build; a GPU with -Dlatentr3.cuda.emulate=false) from the same weights and batches: the same training code, only
 * the device differs, and the losses, gradient norms and final weights agree within float tolerance.
 */
class Qwen2DeviceTrainingTest {
    private static final Device CUDA = new Device("cuda", 0);
    private static final int STEPS = 3;

    private record Run(List<Float> losses, List<Double> norms, Map<String, float[]> weights) {}

    private static Run train(Device device) {
        Qwen2Config config = RandomQwen2.config(29, 16, 24, 4, 2, false);
        Map<String, Tensor> hostWeights = RandomQwen2.weights(config, 5, 0.2);
        Qwen2ForCausalLM model;
        try (var on = DefaultDevice.use(device)) { // host weights load onto the default device
            model = Qwen2ForCausalLM.load(config, hostWeights).requiresGrad(true);
        }
        model.namedParameters().forEach((name, p) -> assertEquals(device, p.device(), name));
        AdamW opt = new AdamW(model.namedParameters(), AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        // Row 1 is left-padded by two tokens; its padding predicts nothing.
        int[] ids = {3, 7, 11, 2, 9, 4, 0, 0, 5, 8, 13, 21};
        int[] mask = {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1};
        int[] targets = {7, 11, 2, 9, 4, -100, -100, -100, 8, 13, 21, -100};
        List<Float> losses = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            try (var scope = TensorScope.open()) {
                Tensor logits = model.forward(Tensor.ofInts(ids, 2, 6).to(device), Tensor.ofInts(mask, 2, 6).to(device),
                        LogitPositions.all(2, 6)).logits();
                assertEquals(device, logits.device());
                Tensor loss = Losses.crossEntropy(logits, Tensor.ofInts(targets, 12).to(device), -100);
                loss.backward();
                norms.add(GradClip.clipGlobalNorm(model.parameters(), 1.0));
                opt.step(1e-2);
                opt.zeroGrad();
                losses.add(loss.item());
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> out.put(name, p.toFloatArray()));
        return new Run(losses, norms, out);
    }

    @Test
    void trainsTheSameOnTheDevice() {
        assumeTrue(Backends.available(CUDA), () -> "device cuda unavailable: " + Backends.unavailableReason(CUDA));
        Run cpu = train(Device.CPU);
        long live = DeviceMemory.stats(CUDA).liveBytes();
        Run dev = train(CUDA);
        double tol = 2e-4;
        for (int i = 0; i < STEPS; i++) {
            assertEquals(cpu.losses.get(i), dev.losses.get(i), tol * (1 + cpu.losses.get(i)), "loss at step " + i);
            assertEquals(cpu.norms.get(i), dev.norms.get(i), tol * (1 + cpu.norms.get(i)), "gradient norm at step " + i);
        }
        for (var e : cpu.weights.entrySet()) {
            assertClose(e.getKey(), e.getValue(), dev.weights.get(e.getKey()), tol);
        }
        assertTrue(cpu.losses.getLast() < cpu.losses.getFirst(), "training reduced the loss: " + cpu.losses);
        assertTrue(DeviceMemory.stats(CUDA).liveBytes() >= live, "the model's weights and moments are still live");
    }

    /** Incremental decoding with a KV cache (prompt with left padding, then two single tokens) on both devices. */
    private static List<float[]> decode(Device device) {
        Qwen2Config config = RandomQwen2.config(29, 16, 24, 4, 2, true);
        Map<String, Tensor> hostWeights = RandomQwen2.weights(config, 8, 0.3);
        Qwen2ForCausalLM model;
        try (var on = DefaultDevice.use(device)) {
            model = Qwen2ForCausalLM.load(config, hostWeights);
        }
        KvCache cache = model.newCache(2, 8);
        List<float[]> out = new ArrayList<>();
        try (var scope = TensorScope.open()) {
            out.add(model.forwardCached(Tensor.ofInts(new int[]{0, 5, 6, 7, 3, 4, 9, 2}, 2, 4).to(device),
                    Tensor.ofInts(new int[]{0, 1, 1, 1, 1, 1, 1, 1}, 2, 4).to(device), cache, LogitPositions.all(2, 4))
                    .logits().toFloatArray());
            for (int[] next : new int[][]{{11, 12}, {13, 14}}) {
                out.add(model.forwardCached(Tensor.ofInts(next, 2, 1).to(device), null, cache, LogitPositions.all(2, 1))
                        .logits().toFloatArray());
            }
        }
        return out;
    }

    @Test
    void decodesTheSameOnTheDevice() {
        assumeTrue(Backends.available(CUDA), () -> "device cuda unavailable: " + Backends.unavailableReason(CUDA));
        List<float[]> cpu = decode(Device.CPU), dev = decode(CUDA);
        for (int i = 0; i < cpu.size(); i++) assertClose("logits of decoding step " + i, cpu.get(i), dev.get(i), 1e-4);
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double bound = tol * (1 + Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= bound)) {
                throw new AssertionError(what + "[" + i + "]: device " + actual[i] + ", cpu " + expected[i] + " (tolerance " + bound + ")");
            }
        }
    }
}
