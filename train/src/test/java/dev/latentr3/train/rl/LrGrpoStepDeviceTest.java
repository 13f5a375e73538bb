package dev.latentr3.train.rl;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.latent.LatentModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One LR-GRPO micro-step on the "cuda" device (the CPU emulator in the build; a GPU with -Dlatentr3.cuda.emulate=false)
 * against the same step on the CPU, with a LatentModel of hidden size 320: LatentRATT's one attention head is then
 * wider than the tile kernels' 256, as it is at every real Qwen size (896 for Qwen2.5-0.5B), which once made the RL
 * stage fail on a GPU. Short hand-made prompts keep the emulator's time small; rewards, loss and LatentRATT's
 * gradients must agree.
 */
class LrGrpoStepDeviceTest {
    private static final Device CUDA = new Device("cuda", 0);
    private static final int HIDDEN = 320, GROUP = 4;

    private record Outcome(LrGrpoStep.Result result, List<float[]> gradients) {}

    private static List<RlExample> groups() {
        SplittableRandom random = new SplittableRandom(5);
        List<RlExample> out = new ArrayList<>();
        for (int length : new int[]{11, 7}) {
            int[] prompt = random.ints(length, 0, TinyLatent.EOS).toArray(), target = random.ints(4, 0, TinyLatent.EOS).toArray();
            target[3] = TinyLatent.EOS;
            out.add(new RlExample(prompt, target));
        }
        return out;
    }

    private static Outcome step(Device device, float[] noise) {
        try (var on = DefaultDevice.use(device); TensorScope scope = TensorScope.open()) {
            LatentModel model = TinyLatent.model(HIDDEN, 3, 0.1, 0.1);
            LrGrpoStep step = new LrGrpoStep(model, LrGrpoConfig.reference().withGroupSize(GROUP));
            LrGrpoStep.Result result = step.run(groups(), Tensor.of(noise, 2, GROUP, HIDDEN));
            List<float[]> gradients = new ArrayList<>();
            model.attention().parameters().forEach(p -> {
                assertEquals(device, p.device(), "LatentRATT lives on the device");
                gradients.add(p.grad().toFloatArray());
            });
            return new Outcome(result, gradients);
        }
    }

    @Test
    void aStepWithAWideLatentRattOnTheDeviceMatchesTheCpu() {
        assumeTrue(Backends.available(CUDA), () -> "device cuda unavailable: " + Backends.unavailableReason(CUDA));
        // Copy 0 of each group clean, the others N(0, 1), as LrGrpoStep.drawNoise lays them out.
        SplittableRandom random = new SplittableRandom(9);
        float[] noise = new float[2 * GROUP * HIDDEN];
        for (int i = 0; i < noise.length; i++) noise[i] = (i / HIDDEN) % GROUP == 0 ? 0f : (float) random.nextGaussian();
        Outcome cpu = step(Device.CPU, noise), dev = step(CUDA, noise);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(cpu.result.rewards()[i], dev.result.rewards()[i], 1e-4 * Math.abs(cpu.result.rewards()[i][0]),
                    "rewards of group " + i);
        }
        assertEquals(cpu.result.loss(), dev.result.loss(), 1e-6 + 1e-4 * Math.abs(cpu.result.loss()), "loss");
        double scale = 0;
        for (float[] g : cpu.gradients) for (float v : g) scale = Math.max(scale, Math.abs(v));
        assertTrue(scale > 0, "the CPU gradient is zero, so the comparison proves nothing");
        for (int p = 0; p < cpu.gradients.size(); p++) {
            assertArrayEquals(cpu.gradients.get(p), dev.gradients.get(p), (float) (1e-3 * scale), "gradient of parameter " + p);
        }
    }
}
