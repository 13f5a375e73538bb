package dev.latentr3.engine.ops;

import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;

import java.util.Arrays;

/**
 * Ops that re-describe memory without copying it (reshape, transpose, permute, slice, expand, squeeze) and the few
 * that must move data between layouts (contiguous, concat, writing into a view).
 */
public final class Views {
    private Views() {}

    private static Tensor view(Tensor t, int[] shape, long[] strides, long offset) {
        return new Tensor(t.storage(), t.dtype(), shape, strides, offset).named(t.name());
    }

    /** Same elements, new shape; one dimension may be -1. Copies only when the layout cannot be re-described. */
    public static Tensor reshape(Tensor t, int... newShape) {
        int[] shape = inferShape(t, newShape);
        int[] in = t.shape();
        if (Arrays.equals(shape, in)) return t;
        Tensor c = t.contiguous();
        Tensor out = view(c, shape, Shapes.contiguousStrides(shape), c.offset());
        return Tensor.record("reshape", out, g -> new Tensor[]{reshape(g, in)}, c);
    }

    private static int[] inferShape(Tensor t, int[] newShape) {
        int[] shape = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(newShape));
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(newShape));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || t.numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(newShape) + " for " + t.describe());
            }
            shape[infer] = (int) (t.numel() / known);
        }
        if (Shapes.numel(shape) != t.numel()) {
            throw new IllegalArgumentException("reshape: " + t.describe() + " has " + t.numel() + " elements, shape "
                    + Arrays.toString(newShape) + " holds " + Shapes.numel(shape));
        }
        return shape;
    }

    public static Tensor transpose(Tensor t, int d0, int d1) {
        int[] order = Shapes.allAxes(t.dim());
        int a = Shapes.axis(d0, t.dim()), b = Shapes.axis(d1, t.dim());
        order[a] = b;
        order[b] = a;
        return permute(t, order);
    }

    public static Tensor permute(Tensor t, int... order) {
        int rank = t.dim();
        if (order.length != rank) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " does not match " + t.describe());
        }
        int[] shape = t.shape(), newShape = new int[rank], inverse = new int[rank];
        long[] strides = t.strides(), newStrides = new long[rank];
        boolean[] used = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int a = Shapes.axis(order[i], rank);
            if (used[a]) throw new IllegalArgumentException("permute: axis " + a + " repeated in " + Arrays.toString(order));
            used[a] = true;
            newShape[i] = shape[a];
            newStrides[i] = strides[a];
            inverse[a] = i;
        }
        Tensor out = view(t, newShape, newStrides, t.offset());
        return Tensor.record("permute", out, g -> new Tensor[]{permute(g, inverse)}, t);
    }

    public static Tensor slice(Tensor t, int d, int start, int end) {
        int a = Shapes.axis(d, t.dim());
        int[] shape = t.shape();
        if (start < 0 || end > shape[a] || start > end) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") is outside dimension " + a + " of " + t.describe());
        }
        long[] strides = t.strides();
        int[] newShape = shape.clone();
        newShape[a] = end - start;
        Tensor out = view(t, newShape, strides, t.offset() + start * strides[a]);
        return Tensor.record("slice", out, g -> {
            Tensor full = Tensor.zeros(t.device(), shape);
            copyInto(full.slice(a, start, end), g);
            return new Tensor[]{full};
        }, t);
    }

    /** Broadcasts size-1 (or missing leading) dimensions to newShape without copying (stride 0). */
    public static Tensor expand(Tensor t, int... newShape) {
        int[] in = t.shape();
        if (newShape.length < in.length) {
            throw new IllegalArgumentException("expand: " + Arrays.toString(newShape) + " has fewer dimensions than " + t.describe());
        }
        int[] target = newShape.clone();
        int shift = target.length - in.length;
        for (int i = 0; i < target.length; i++) {
            int src = i - shift >= 0 ? in[i - shift] : 1;
            if (target[i] == -1) target[i] = src;
            if (src != 1 && src != target[i]) {
                throw new IllegalArgumentException("expand: " + t.describe() + " cannot expand to " + Arrays.toString(newShape)
                        + " (dimension " + i + " is " + src + ")");
            }
        }
        if (Arrays.equals(target, in)) return t;
        Tensor out = view(t, target, Shapes.broadcastStrides(t, target), t.offset());
        return Tensor.record("expand", out, g -> new Tensor[]{Reductions.sumTo(g, in)}, t);
    }

    public static Tensor unsqueeze(Tensor t, int d) {
        int rank = t.dim() + 1;
        int a = Shapes.axis(d, rank);
        int[] shape = new int[rank];
        int[] in = t.shape();
        for (int i = 0, j = 0; i < rank; i++) shape[i] = i == a ? 1 : in[j++];
        return reshape(t, shape);
    }

    public static Tensor squeeze(Tensor t, int d) {
        int a = Shapes.axis(d, t.dim());
        int[] in = t.shape();
        if (in[a] != 1) throw new IllegalArgumentException("squeeze: dimension " + a + " of " + t.describe() + " is not 1");
        int[] shape = new int[in.length - 1];
        for (int i = 0, j = 0; i < in.length; i++) if (i != a) shape[j++] = in[i];
        return reshape(t, shape);
    }

    /** A contiguous copy (recorded: its gradient passes through unchanged). */
    public static Tensor contiguous(Tensor t) {
        t.checkAlive("contiguous");
        Tensor out = Tensor.empty(t.device(), t.dtype(), t.shape());
        t.backend().elementwise().copyStrided(t.dtype().byteSize(), t.shape(), t.data(), t.strides(), out.data());
        return Tensor.record("contiguous", out, g -> new Tensor[]{g}, t);
    }

    /** Joins tensors along dimension d; all other dimensions must match. */
    public static Tensor concat(int d, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: no tensors");
        int rank = parts[0].dim();
        int a = Shapes.axis(d, rank);
        int[] shape = parts[0].shape();
        int total = 0;
        for (Tensor p : parts) {
            int[] s = p.shape();
            boolean ok = s.length == rank && p.dtype() == parts[0].dtype();
            for (int i = 0; ok && i < rank; i++) ok = i == a || s[i] == shape[i];
            if (!ok) {
                throw new IllegalArgumentException("concat: " + p.describe() + " does not match " + parts[0].describe()
                        + " outside dimension " + a);
            }
            total += s[a];
        }
        Ops.sameDevice("concat", parts);
        shape[a] = total;
        Tensor out = Tensor.empty(parts[0].device(), parts[0].dtype(), shape);
        int[] starts = new int[parts.length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            starts[i] = at;
            int len = parts[i].size(a);
            copyInto(out.slice(a, at, at + len), parts[i]);
            at += len;
        }
        return Tensor.record("concat", out, g -> {
            Tensor[] gs = new Tensor[parts.length];
            for (int i = 0; i < parts.length; i++) gs[i] = g.slice(a, starts[i], starts[i] + parts[i].size(a)).contiguous();
            return gs;
        }, parts);
    }

    /**
     * Writes src's values into the (possibly strided) view dst, which shares memory with its base. Not recorded:
     * callers use it inside forwards and backwards on fresh tensors. src on another device is copied over first.
     */
    public static void copyInto(Tensor dst, Tensor src) {
        if (!Arrays.equals(dst.shape(), src.shape()) || dst.dtype() != src.dtype()) {
            throw new IllegalArgumentException("copyInto: " + src.describe() + " does not match destination " + dst.describe());
        }
        if (dst.numel() == 0) return;
        src.checkAlive("copyInto");
        dst.checkAlive("copyInto");
        if (!src.device().equals(dst.device())) src = src.to(dst.device());
        int width = src.dtype().byteSize();
        if (dst.isContiguous()) {
            src.backend().elementwise().copyStrided(width, src.shape(), src.data(), src.strides(), dst.data());
            return;
        }
        // A strided destination (a slice of a larger tensor): the backend writes it, on the host run by run, on a
        // device with one kernel.
        Tensor s = src.contiguous();
        dst.backend().elementwise().copyToStrided(width, dst.shape(), s.data(), dst.data(), dst.strides());
    }
}
