package dev.latentr3.engine.ops;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;

/** Row lookups and row writes by integer index: embeddings, and injecting vectors into a sequence of embeddings. */
public final class Indexing {
    private Indexing() {}

    /**
     * table [V, D] looked up at ids of any shape -> [..., D]. Ids are I32; I64 ids (as tokenizers and numpy often
     * produce them) are accepted and converted to I32 on the way in, which is lossless for any id a table can hold.
     * The backward adds each output row's gradient into its id's row (repeated ids accumulate).
     */
    public static Tensor embedding(Tensor table, Tensor ids) {
        String op = "embedding";
        Elementwise.requireF32(op, table);
        ids.checkAlive(op);
        Ops.sameDevice(op, table, ids);
        Ops.requireRank(op, "table", table, 2);
        Tensor idx = switch (ids.dtype()) {
            case I32 -> ids.contiguous();
            case I64 -> int32Copy(op, ids);
            default -> throw new IllegalArgumentException(op + ": ids must be I32 or I64, got " + ids.describe());
        };
        int vocab = table.size(0), dim = table.size(1);
        int n = Math.toIntExact(ids.numel());
        Ops.requireIndices(op, "id", idx, vocab, table, null);
        int[] outShape = java.util.Arrays.copyOf(ids.shape(), ids.dim() + 1);
        outShape[ids.dim()] = dim;
        Tensor tc = table.contiguous();
        Tensor out = Tensor.empty(table.device(), outShape);
        table.backend().elementwise().gatherRows(n, dim, tc.data(), vocab, idx.data(), out.data());
        return Tensor.record(op, out, g -> {
            Tensor gc = g.contiguous();
            if (table.acceptsGradInPlace()) {
                // A parameter: its rows' gradients go straight into .grad, with no dense vocab x dim temporary.
                table.backend().elementwise().scatterAddRows(n, dim, gc.data(), idx.data(), vocab, table.gradForAccumulation().data());
                return new Tensor[]{null, null};
            }
            Tensor dTable = Tensor.zeros(table.device(), vocab, dim);
            table.backend().elementwise().scatterAddRows(n, dim, gc.data(), idx.data(), vocab, dTable.data());
            return new Tensor[]{dTable, null};
        }, table, ids);
    }

    /**
     * A new tensor equal to base [R, D] except that row rows[i] is values[i, :] (rows I32 [n], values [n, D]); base
     * itself is untouched. Rows must be distinct: with a repeated row the result would depend on write order and
     * the overwritten values would still receive gradient.
     */
    public static Tensor indexPut(Tensor base, Tensor rows, Tensor values) {
        String op = "indexPut";
        Elementwise.requireF32(op, base);
        Elementwise.requireF32(op, values);
        Ops.sameDevice(op, base, rows, values);
        Ops.requireRank(op, "base", base, 2);
        int height = base.size(0), dim = base.size(1);
        if (rows.dim() != 1) throw new IllegalArgumentException(op + ": rows must be 1-D, got " + rows.describe());
        int n = rows.size(0);
        if (values.dim() != 2 || values.size(0) != n || values.size(1) != dim) {
            throw new IllegalArgumentException(op + ": values " + values.describe() + " must be [" + n + ", " + dim
                    + "] for rows " + rows.describe() + " into base " + base.describe());
        }
        // The distinct-rows check reads the rows in Java: a device tensor of rows is copied to the host for it (rows
        // are few: one per injected vector).
        int[] at = Ops.hostIndices(op, "row", rows, height, base, null);
        boolean[] seen = new boolean[height];
        for (int r : at) {
            if (seen[r]) throw new IllegalArgumentException(op + ": row " + r + " appears twice in " + rows.describe());
            seen[r] = true;
        }
        Tensor rc = rows.contiguous(), vc = values.contiguous();
        Tensor out = Tensor.empty(base.device(), height, dim);
        Views.copyInto(out, base);
        base.backend().elementwise().putRows(n, dim, vc.data(), rc.data(), height, out.data());
        return Tensor.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dBase = Tensor.empty(base.device(), height, dim);
            Views.copyInto(dBase, gc);
            base.backend().elementwise().fillRows(n, dim, 0f, rc.data(), height, dBase.data());
            Tensor dValues = Tensor.empty(base.device(), n, dim);
            base.backend().elementwise().gatherRows(n, dim, gc.data(), height, rc.data(), dValues.data());
            return new Tensor[]{dBase, null, dValues};
        }, base, rows, values);
    }

    private static Tensor int32Copy(String op, Tensor ids) {
        try {
            // No I64 -> I32 cast kernel: the ids take an explicit trip through the host (they are usually built there).
            return Tensor.ofInts(ids.toIntArray(), ids.shape()).to(ids.device());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": I64 ids in " + ids.describe() + " exceed the int32 range of any table", e);
        }
    }
}
