package dev.latentr3.model.latent;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.Ops;

/**
 * Where the thought tokens are in a batch of ids I32 [B, L]: position[b][i] is row b's i-th thought token. Every row
 * must hold the same number N >= 1 of them, all real tokens (mask 1), the first preceded by a real token (LatentRATT's
 * query for r_1). The reference finds them the same way, by comparing ids with the thought id.
 */
record ThoughtPositions(int[][] position, int length) {
    static ThoughtPositions find(Tensor ids, Tensor mask, int thoughtId) {
        String op = "LatentModel";
        Ops.requireDType(op, "input ids", ids, DType.I32);
        Ops.requireRank(op, "input ids", ids, 2);
        int b = ids.size(0), l = ids.size(1);
        int[] id = ids.toIntArray(), m = mask == null ? null : mask.toIntArray();
        if (mask != null && (mask.dim() != 2 || mask.size(0) != b || mask.size(1) != l)) {
            throw new IllegalArgumentException(op + ": attention mask " + mask.describe() + " must be [" + b + ", " + l + "]");
        }
        int[][] at = new int[b][];
        for (int row = 0; row < b; row++) {
            int n = 0;
            for (int j = 0; j < l; j++) if (id[row * l + j] == thoughtId) n++;
            at[row] = new int[n];
            n = 0;
            for (int j = 0; j < l; j++) if (id[row * l + j] == thoughtId) at[row][n++] = j;
            if (n == 0 || n != at[0].length) {
                throw new IllegalArgumentException(op + ": row " + row + " of " + ids.describe() + " has " + n
                        + " thought tokens (id " + thoughtId + "); every row needs the same number, at least 1"
                        + (row > 0 ? " (row 0 has " + at[0].length + ")" : ""));
            }
            if (at[row][0] == 0 || (m != null && m[row * l + at[row][0] - 1] == 0)) {
                throw new IllegalArgumentException(op + ": row " + row + "'s first thought token at " + at[row][0]
                        + " must follow a real prompt token (LatentRATT's query)");
            }
            for (int t : at[row]) {
                if (m != null && m[row * l + t] == 0) {
                    throw new IllegalArgumentException(op + ": row " + row + "'s thought token at " + t + " is padding");
                }
            }
        }
        return new ThoughtPositions(at, l);
    }

    int batch() {
        return position.length;
    }

    int latents() {
        return position[0].length;
    }

    /** Each row's i-th thought position. */
    int[] column(int i) {
        int[] c = new int[batch()];
        for (int row = 0; row < c.length; row++) c[row] = position[row][i];
        return c;
    }

    /** The length a pass computing r_i needs: every row's positions before its i-th thought token. */
    int prefixFor(int i) {
        int max = 0;
        for (int[] row : position) max = Math.max(max, row[i]);
        return max;
    }

    /** Rows b * width + position[b][i] for i < count, b-major: where r_i of row b goes in flattened [B * width, d]. */
    Tensor flatRows(int count, int width) {
        int[] rows = new int[batch() * count];
        for (int row = 0; row < batch(); row++) {
            for (int i = 0; i < count; i++) rows[row * count + i] = row * width + position[row][i];
        }
        return Tensor.ofInts(rows, rows.length);
    }

    /** True when every row's thought tokens are its last N positions (left padding, as at inference). */
    boolean atTheEnd() {
        int n = latents();
        for (int[] row : position) for (int i = 0; i < n; i++) if (row[i] != length - n + i) return false;
        return true;
    }
}
