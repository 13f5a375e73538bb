package dev.latentr3.engine.ops;

import dev.latentr3.engine.Tensor;

import java.util.Arrays;

/** Fused activations of the MLP blocks (the plain ones, silu and friends, are in {@link Elementwise}). */
public final class Activations {
    private Activations() {}

    /** SwiGLU's gate: silu(gate) * up, element-wise; gate and up have the same shape. One pass, no temporaries. */
    public static Tensor swiglu(Tensor gate, Tensor up) {
        String op = "swiglu";
        Elementwise.requireF32(op, gate);
        Elementwise.requireF32(op, up);
        Ops.sameDevice(op, gate, up);
        if (!Arrays.equals(gate.shape(), up.shape())) {
            throw new IllegalArgumentException(op + ": gate " + gate.describe() + " and up " + up.describe()
                    + " must have the same shape");
        }
        Tensor gc = gate.contiguous(), uc = up.contiguous();
        Tensor out = Tensor.empty(gate.device(), gate.shape());
        gate.backend().rows().swiglu(out.numel(), gc.data(), uc.data(), out.data());
        return Tensor.record(op, out, g -> {
            Tensor dOut = g.contiguous();
            Tensor dGate = Tensor.empty(gate.device(), gate.shape()), dUp = Tensor.empty(gate.device(), up.shape());
            gate.backend().rows().swigluBackward(out.numel(), gc.data(), uc.data(), dOut.data(), dGate.data(), dUp.data());
            return new Tensor[]{dGate, dUp};
        }, gate, up);
    }
}
