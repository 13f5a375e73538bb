package dev.latentr3.engine.ops;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;
import dev.latentr3.kernels.ElementwiseKernels.Binary;
import dev.latentr3.kernels.ElementwiseKernels.Unary;

/** Element-wise arithmetic with numpy broadcasting; each op's backward sums gradients back to its input shapes. */
public final class Elementwise {
    private Elementwise() {}

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = binary("add", Binary.ADD, a, b);
        return Tensor.record("add", out, g -> new Tensor[]{Reductions.sumTo(g, a.shape()), Reductions.sumTo(g, b.shape())}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binary("sub", Binary.SUB, a, b);
        return Tensor.record("sub", out, g -> new Tensor[]{Reductions.sumTo(g, a.shape()), Reductions.sumTo(neg(g), b.shape())}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binary("mul", Binary.MUL, a, b);
        return Tensor.record("mul", out, g -> new Tensor[]{
                a.requiresGrad() ? Reductions.sumTo(mul(g, b), a.shape()) : null,
                b.requiresGrad() ? Reductions.sumTo(mul(g, a), b.shape()) : null}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = binary("div", Binary.DIV, a, b);
        return Tensor.record("div", out, g -> new Tensor[]{
                a.requiresGrad() ? Reductions.sumTo(div(g, b), a.shape()) : null,
                b.requiresGrad() ? Reductions.sumTo(neg(div(mul(g, out), b)), b.shape()) : null}, a, b);
    }

    public static Tensor maximum(Tensor a, Tensor b) {
        return binary("maximum", Binary.MAX, a.detach(), b.detach());
    }

    public static Tensor neg(Tensor x) {
        return unary("neg", Unary.NEG, x);
    }

    public static Tensor exp(Tensor x) {
        return unary("exp", Unary.EXP, x);
    }

    public static Tensor log(Tensor x) {
        return unary("log", Unary.LOG, x);
    }

    public static Tensor sqrt(Tensor x) {
        return unary("sqrt", Unary.SQRT, x);
    }

    public static Tensor silu(Tensor x) {
        return unary("silu", Unary.SILU, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return unary("sigmoid", Unary.SIGMOID, x);
    }

    public static Tensor tanh(Tensor x) {
        return unary("tanh", Unary.TANH, x);
    }

    public static Tensor relu(Tensor x) {
        return unary("relu", Unary.RELU, x);
    }

    public static Tensor abs(Tensor x) {
        return unary("abs", Unary.ABS, x);
    }

    /** alpha * x + beta. */
    public static Tensor affine(Tensor x, float alpha, float beta) {
        Tensor xc = requireF32("affine", x).contiguous();
        Tensor out = Tensor.empty(x.device(), x.shape());
        x.backend().elementwise().affine(out.numel(), alpha, beta, xc.data(), out.data());
        return Tensor.record("affine", out, g -> new Tensor[]{affine(g, alpha, 0f)}, x);
    }

    private static Tensor unary(String name, Unary op, Tensor x) {
        Tensor xc = requireF32(name, x).contiguous();
        Tensor out = Tensor.empty(x.device(), x.shape());
        x.backend().elementwise().unary(op, out.numel(), xc.data(), out.data());
        return Tensor.record(name, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(x.device(), x.shape());
            x.backend().elementwise().unaryBackward(op, dx.numel(), xc.data(), out.data(), gc.data(), dx.data());
            return new Tensor[]{dx};
        }, x);
    }

    private static Tensor binary(String name, Binary op, Tensor a, Tensor b) {
        requireF32(name, a);
        requireF32(name, b);
        Ops.sameDevice(name, a, b);
        int[] shape = Shapes.broadcast(name, a.shape(), b.shape());
        Tensor out = Tensor.empty(a.device(), shape);
        a.backend().elementwise().binary(op, shape, a.data(), Shapes.broadcastStrides(a, shape),
                b.data(), Shapes.broadcastStrides(b, shape), out.data());
        return out;
    }

    static Tensor requireF32(String op, Tensor t) {
        t.checkAlive(op);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": expected an F32 tensor, got " + t.describe() + " (cast it first with Casts.to)");
        }
        return t;
    }
}
