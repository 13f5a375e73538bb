package dev.latentr3.engine.ops;

import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;

import java.util.Arrays;

/**
 * Matrix products. Transposed views are passed to GEMM as transpose flags, never copied; batch dimensions are
 * folded into one strided batch.
 */
public final class MatMul {
    private MatMul() {}

    /**
     * a [..., m, k] @ b [k, n] or b [..., k, n] (the same batch dimensions as a). 1-D operands are not promoted:
     * reshape them first.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        String op = "matmul";
        Elementwise.requireF32(op, a);
        Elementwise.requireF32(op, b);
        Ops.sameDevice(op, a, b);
        if (a.dim() < 2 || b.dim() < 2) {
            throw new IllegalArgumentException(op + ": operands need at least 2 dimensions, got " + a.describe() + " and " + b.describe());
        }
        int m = a.size(-2), k = a.size(-1), n = b.size(-1);
        if (b.size(-2) != k) {
            throw new IllegalArgumentException(op + ": " + a.describe() + " @ " + b.describe() + ": inner dimensions "
                    + k + " and " + b.size(-2) + " differ");
        }
        int[] batchA = Arrays.copyOf(a.shape(), a.dim() - 2);
        int[] batchB = Arrays.copyOf(b.shape(), b.dim() - 2);
        boolean bShared = batchB.length == 0;
        if (!bShared && !Arrays.equals(batchA, batchB)) {
            throw new IllegalArgumentException(op + ": batch dimensions of " + a.describe() + " and " + b.describe() + " differ");
        }
        int batch = (int) Shapes.numel(batchA);
        int[] outShape = Arrays.copyOf(batchA, batchA.length + 2);
        outShape[outShape.length - 2] = m;
        outShape[outShape.length - 1] = n;
        Tensor out = Tensor.empty(a.device(), outShape);

        if (bShared && foldsIntoRows(a)) {
            // [..., m, k] @ [k, n] is one [batch*m, k] @ [k, n] GEMM when a's rows are evenly spaced.
            Operand oa = Operand.of(a.reshape(batch * m, k)), ob = Operand.of(b);
            a.backend().gemm().sgemm(oa.trans, ob.trans, batch * m, n, k, 1f, oa.t.data(), oa.ld, ob.t.data(), ob.ld,
                    0f, out.data(), n);
        } else {
            Operand oa = Operand.batched(a, batch), ob = bShared ? Operand.of(b) : Operand.batched(b, batch);
            a.backend().gemm().sgemmBatched(batch, oa.trans, ob.trans, m, n, k, 1f, oa.t.data(), oa.batchStride, oa.ld,
                    ob.t.data(), bShared ? 0 : ob.batchStride, ob.ld, 0f, out.data(), (long) m * n, n);
        }
        return Tensor.record(op, out, g -> new Tensor[]{
                a.requiresGrad() ? matmul(g, b.transpose(-1, -2)) : null,
                b.requiresGrad() ? (bShared ? matmul(flattenRows(a).transpose(0, 1), flattenRows(g))
                                            : matmul(a.transpose(-1, -2), g)) : null}, a, b);
    }

    /**
     * y = x @ w^T + bias, the layout of PyTorch's Linear: x [..., in], w [out, in], bias [out] or null. The weight
     * gradient is computed directly as g^T x in w's layout (no transposed copy of a large gradient).
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        String op = "linear";
        Elementwise.requireF32(op, x);
        Elementwise.requireF32(op, w);
        if (bias != null) Elementwise.requireF32(op, bias); // the kernel would read a BF16 or freed bias as garbage
        Ops.sameDevice(op, bias == null ? new Tensor[]{x, w} : new Tensor[]{x, w, bias});
        Ops.requireRank(op, "weight", w, 2);
        int in = w.size(1), outDim = w.size(0);
        if (x.size(-1) != in) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + " has " + x.size(-1)
                    + " features, weight " + w.describe() + " expects " + in);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != outDim)) {
            throw new IllegalArgumentException(op + ": bias " + bias.describe() + " must have shape [" + outDim + "]");
        }
        int[] xs = x.shape();
        int rows = (int) (x.numel() / in);
        Tensor x2 = x.contiguous();
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = outDim;
        Tensor out = Tensor.empty(x.device(), outShape);
        Operand ow = Operand.of(w);
        x.backend().gemm().sgemm(false, !ow.trans, rows, outDim, in, 1f, x2.data(), in, ow.t.data(), ow.ld, 0f, out.data(), outDim);
        if (bias != null) {
            Tensor bc = bias.contiguous();
            x.backend().elementwise().binary(dev.latentr3.kernels.ElementwiseKernels.Binary.ADD, new int[]{rows, outDim},
                    out.data(), new long[]{outDim, 1}, bc.data(), new long[]{0, 1}, out.data());
        }
        Tensor[] inputs = bias == null ? new Tensor[]{x, w} : new Tensor[]{x, w, bias};
        return Tensor.record(op, out, g -> {
            Tensor g2 = g.contiguous().reshape(rows, outDim);
            Tensor dx = x.requiresGrad() ? matmul(g2, w).reshape(xs) : null;
            Tensor dw = null;
            if (w.acceptsGradInPlace()) {
                // A parameter: .grad += g^T x in one GEMM with beta 1, without a weight-sized temporary (the LM head's
                // is 0.5 GiB at Qwen2.5-0.5B, and it would land on the backward's peak).
                x.backend().gemm().sgemm(true, false, outDim, in, rows, 1f, g2.data(), outDim, x2.data(), in, 1f,
                        w.gradForAccumulation().data(), in);
            } else if (w.requiresGrad()) {
                dw = matmul(g2.transpose(0, 1), x2.reshape(rows, in));
            }
            Tensor db = bias != null && bias.requiresGrad() ? g2.sum(false, 0) : null;
            return bias == null ? new Tensor[]{dx, dw} : new Tensor[]{dx, dw, db};
        }, inputs);
    }

    private static Tensor flattenRows(Tensor t) {
        return t.reshape(-1, t.size(-1));
    }

    /** True when a's leading dimensions and rows form one evenly strided run of rows with unit column stride. */
    private static boolean foldsIntoRows(Tensor a) {
        int[] s = a.shape();
        long[] st = a.strides();
        int r = s.length;
        if (st[r - 1] != 1 && s[r - 1] != 1) return false;
        long expected = st[r - 2];
        for (int i = r - 3; i >= 0; i--) {
            if (s[i] != 1 && st[i] != expected * s[i + 1]) return false;
            expected = st[i];
        }
        return true;
    }

    /** A matrix view as GEMM sees it: maybe transposed, with a leading dimension; copied only when neither fits. */
    private record Operand(Tensor t, boolean trans, int ld, long batchStride) {
        static Operand of(Tensor t) {
            int rows = t.size(-2), cols = t.size(-1);
            long rs = t.strides()[t.dim() - 2], cs = t.strides()[t.dim() - 1];
            if ((cs == 1 || cols == 1) && (rows == 1 || rs >= cols)) {
                return new Operand(t, false, (int) Math.max(rows == 1 ? cols : rs, Math.max(1, cols)), 0);
            }
            if ((rs == 1 || rows == 1) && (cols == 1 || cs >= rows)) {
                return new Operand(t, true, (int) Math.max(cols == 1 ? rows : cs, Math.max(1, rows)), 0);
            }
            Tensor c = t.contiguous().detach();
            return new Operand(c, false, Math.max(1, cols), 0);
        }

        /** For [..., r, c]: one stride between consecutive matrices, or a contiguous copy. */
        static Operand batched(Tensor t, int batch) {
            long matrixStride = batch <= 1 ? 0 : uniformBatchStride(t);
            if (matrixStride < 0) {
                t = t.contiguous().detach();
                matrixStride = (long) t.size(-2) * t.size(-1);
            }
            Operand o = of(t);
            if (o.t != t) matrixStride = (long) t.size(-2) * t.size(-1); // of() made a contiguous copy
            return new Operand(o.t, o.trans, o.ld, matrixStride);
        }

        /** The stride between consecutive matrices of the flattened batch, or -1 when the batch is not evenly spaced. */
        private static long uniformBatchStride(Tensor t) {
            int[] s = t.shape();
            long[] st = t.strides();
            long innermost = -1, span = 1; // span: product of the batch sizes inside dimension i
            for (int i = s.length - 3; i >= 0; i--) {
                if (s[i] != 1) {
                    if (innermost < 0) innermost = st[i];
                    else if (st[i] != innermost * span) return -1;
                }
                span *= s[i];
            }
            return Math.max(innermost, 0);
        }
    }
}
