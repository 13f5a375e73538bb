package dev.latentr3.engine.device;

import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs one op on the CPU and on a device from the same host inputs, back-propagates the same random upstream
 * gradient, and compares the outputs and every input gradient element by element: |device - cpu| <= atol + rtol * |cpu|.
 */
final class DeviceComparison {
    /** One input: host values (floats, or ints for index tensors), its shape, and whether it gets a gradient. */
    record Input(float[] floats, int[] ints, int[] shape, boolean grad) {
        Tensor on(Device device) {
            Tensor host = floats != null ? Tensor.of(floats, shape) : Tensor.ofInts(ints, shape);
            Tensor t = host.to(device);
            return grad ? t.requiresGrad(true) : t;
        }
    }

    private final Random random;

    DeviceComparison(long seed) {
        random = new Random(seed);
    }

    Input normal(int... shape) {
        return floats(false, 0, shape);
    }

    Input variable(int... shape) {
        return floats(true, 0, shape);
    }

    /** A variable whose values are at least {@code min} (inputs of log, sqrt, div). */
    Input positive(float min, int... shape) {
        return floats(true, min, shape);
    }

    private Input floats(boolean grad, float min, int... shape) {
        float[] v = new float[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            float g = (float) random.nextGaussian();
            v[i] = min > 0 ? min + Math.abs(g) : g;
        }
        return new Input(v, null, shape, grad);
    }

    /** Ints in [0, bound), with {@code ignore} at the positions listed. */
    Input ints(int bound, int[] shape, int ignore, int... ignoredAt) {
        int[] v = new int[numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = random.nextInt(bound);
        for (int at : ignoredAt) v[at] = ignore;
        return new Input(null, v, shape, false);
    }

    Input intsOf(int[] values, int... shape) {
        return new Input(null, values.clone(), shape, false);
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    private record Run(float[] out, List<float[]> grads) {}

    /** Compares op on the CPU and on {@code device}; backward too when any input is a variable. */
    void check(String name, Device device, double atol, double rtol, Function<Tensor[], Tensor> op, Input... inputs) {
        boolean backward = false;
        for (Input in : inputs) backward |= in.grad;
        float[] upstream = null;
        Run cpu = run(Device.CPU, op, inputs, backward, null);
        if (backward) {
            upstream = new float[cpu.out.length];
            for (int i = 0; i < upstream.length; i++) upstream[i] = (float) random.nextGaussian();
            cpu = run(Device.CPU, op, inputs, true, upstream);
        }
        Run dev = run(device, op, inputs, backward, upstream);
        compare(name + " forward", cpu.out, dev.out, atol, rtol);
        for (int i = 0; i < cpu.grads.size(); i++) {
            if (cpu.grads.get(i) == null) continue;
            compare(name + " gradient of input " + i, cpu.grads.get(i), dev.grads.get(i), atol, rtol);
        }
    }

    private static Run run(Device device, Function<Tensor[], Tensor> op, Input[] inputs, boolean backward, float[] upstream) {
        try (var scope = TensorScope.open()) {
            Tensor[] xs = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) xs[i] = inputs[i].on(device);
            Tensor y = op.apply(xs);
            assertEquals(device, y.device(), "output device");
            float[] out = y.toFloatArray();
            List<float[]> grads = new ArrayList<>();
            if (backward && upstream != null) {
                y.backward(Tensor.of(upstream, y.shape()).to(device));
                for (int i = 0; i < xs.length; i++) {
                    if (!inputs[i].grad) {
                        grads.add(null);
                        continue;
                    }
                    if (xs[i].grad() == null) fail("input " + i + " got no gradient on " + device);
                    assertEquals(device, xs[i].grad().device(), "gradient device of input " + i);
                    grads.add(xs[i].grad().toFloatArray());
                }
            }
            return new Run(out, grads);
        }
    }

    static void compare(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": element count");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(actual[i]) || !Float.isFinite(expected[i]),
                    () -> what + ": non-finite value on the device where the CPU has a finite one");
            double excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
            if (excess > worst) {
                worst = excess;
                worstAt = i;
            }
        }
        if (worstAt >= 0) {
            fail(what + ": element " + worstAt + " is " + actual[worstAt] + " on the device, " + expected[worstAt]
                    + " on the CPU (tolerance " + atol + " + " + rtol + " * |cpu|)");
        }
    }
}
