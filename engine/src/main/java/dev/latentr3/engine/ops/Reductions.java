package dev.latentr3.engine.ops;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;
import dev.latentr3.kernels.ElementwiseKernels.Reduce;

import java.util.Arrays;

/** Sums, means and maxima over axes. A reduced axis is viewed as the middle of [outer, reduce, inner]. */
public final class Reductions {
    private Reductions() {}

    public static Tensor sum(Tensor x, boolean keepDim, int... axes) {
        Elementwise.requireF32("sum", x);
        int[] in = x.shape();
        boolean[] reduced = reducedAxes(x, axes);
        Tensor out = x.contiguous();
        for (int a = in.length - 1; a >= 0; a--) { // one axis at a time, keeping dimensions (size 1)
            if (reduced[a]) out = reduceAxis(out, a, Reduce.SUM, null);
        }
        if (out == x) out = Views.contiguous(x).detach(); // nothing reduced: still a fresh tensor
        int[] keptShape = keptShape(in, reduced);
        out = out.detach().reshape(keepDim ? keptShape : droppedShape(in, reduced));
        return Tensor.record("sum", out, g -> new Tensor[]{g.reshape(keptShape).expand(in)}, x);
    }

    public static Tensor mean(Tensor x, boolean keepDim, int... axes) {
        boolean[] reduced = reducedAxes(x, axes);
        long count = 1;
        for (int a = 0; a < reduced.length; a++) if (reduced[a]) count *= x.size(a);
        return sum(x, keepDim, axes).scale(1f / count);
    }

    /** Max over one axis; the gradient goes to the first maximum. */
    public static Tensor max(Tensor x, int axis, boolean keepDim) {
        Elementwise.requireF32("max", x);
        int[] in = x.shape();
        int a = Shapes.axis(axis, in.length);
        boolean[] reduced = new boolean[in.length];
        reduced[a] = true;
        int[] keptShape = keptShape(in, reduced);
        Tensor indices = Tensor.empty(x.device(), DType.I32, keptShape);
        Tensor out = reduceAxis(x.contiguous(), a, Reduce.MAX, indices).detach();
        out = out.reshape(keepDim ? keptShape : droppedShape(in, reduced));
        return Tensor.record("max", out, g -> new Tensor[]{scatterAlongAxis(g.reshape(keptShape).contiguous(), indices, in, a)}, x);
    }

    /** Sums a (broadcast) gradient back to {@code shape}: over leading extra axes and axes where shape has 1. */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int shift = gs.length - shape.length;
        boolean any = false;
        boolean[] reduced = new boolean[gs.length];
        for (int i = 0; i < gs.length; i++) {
            reduced[i] = i < shift || (shape[i - shift] == 1 && gs[i] != 1);
            any |= reduced[i];
        }
        if (!any) return g.reshape(shape);
        int count = 0;
        for (boolean r : reduced) if (r) count++;
        int[] axes = new int[count];
        for (int i = 0, k = 0; i < gs.length; i++) if (reduced[i]) axes[k++] = i;
        return sum(g, false, axes).reshape(shape);
    }

    private static Tensor reduceAxis(Tensor c, int axis, Reduce op, Tensor indices) {
        int[] s = c.shape();
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.length; i++) inner *= s[i];
        int[] outShape = s.clone();
        outShape[axis] = 1;
        Tensor out = Tensor.empty(c.device(), outShape);
        c.backend().elementwise().reduce(op, outer, s[axis], inner, c.data(), out.data(),
                indices == null ? null : indices.data());
        return out;
    }

    private static Tensor scatterAlongAxis(Tensor g, Tensor indices, int[] in, int axis) {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= in[i];
        for (int i = axis + 1; i < in.length; i++) inner *= in[i];
        Tensor dx = Tensor.empty(g.device(), in);
        g.backend().elementwise().maxBackward(outer, in[axis], inner, g.data(), indices.data(), dx.data());
        return dx;
    }

    private static boolean[] reducedAxes(Tensor x, int[] axes) {
        boolean[] r = new boolean[x.dim()];
        for (int a : axes) {
            int n = Shapes.axis(a, x.dim());
            if (r[n]) throw new IllegalArgumentException("reduction: axis " + a + " given twice for " + x.describe());
            r[n] = true;
        }
        return r;
    }

    private static int[] keptShape(int[] in, boolean[] reduced) {
        int[] s = in.clone();
        for (int i = 0; i < s.length; i++) if (reduced[i]) s[i] = 1;
        return s;
    }

    private static int[] droppedShape(int[] in, boolean[] reduced) {
        return java.util.stream.IntStream.range(0, in.length).filter(i -> !reduced[i]).map(i -> in[i]).toArray();
    }
}
