package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Segments;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.latentr3.kernels.cpu.AttentionTiles.SP;
import static dev.latentr3.kernels.cpu.AttentionTiles.VL;
import static dev.latentr3.kernels.cpu.AttentionTiles.roundUp;

/**
 * One thread's forward state for one query block: the online softmax (running max m, running sum l and the unnormalised
 * output acc per query row) over a range of key tiles, so that no more than blockKeys x blockRows scores exist at a
 * time. Scores are kept transposed (keys x query rows, see {@link AttentionTiles}) and computed against q
 * pre-multiplied by the scale, so the softmax bookkeeping is vectorised across query rows.
 */
final class AttentionForwardTile {
    private static final FloatVector NEG_INF = FloatVector.broadcast(SP, Float.NEGATIVE_INFINITY);

    private final AttentionArgs a;
    private final boolean causal;
    private final float scale;
    private final MemorySegment q, k, v, keyMask;
    private final int blockKeys, d, dp, rp;
    final int maxRows;

    private final float[] stage, qt, kr, vr, st, colLast, alpha, colSum;
    final float[] acc, m, l;
    private final boolean[] keyOk;
    private int rows;

    AttentionForwardTile(AttentionArgs a, int maxTokens, int blockKeys, float scale, boolean causal,
                         MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask) {
        this.a = a;
        this.causal = causal;
        this.scale = scale;
        this.q = q;
        this.k = k;
        this.v = v;
        this.keyMask = keyMask;
        this.blockKeys = blockKeys;
        this.d = a.headDim();
        this.dp = roundUp(d, VL);
        this.maxRows = maxTokens * a.group();
        this.rp = roundUp(maxRows, VL);
        int keysPad = roundUp(blockKeys, AttentionTiles.ROWS);
        stage = new float[maxRows * d];
        qt = new float[d * rp];
        kr = new float[keysPad * dp];
        vr = new float[blockKeys * dp];
        st = new float[keysPad * rp];
        colLast = new float[rp];
        alpha = new float[rp];
        colSum = new float[rp];
        acc = new float[maxRows * dp];
        m = new float[rp];
        l = new float[rp];
        keyOk = new boolean[blockKeys];
    }

    /** Runs the online softmax of tokens [t0, t0 + nt), heads of kv head g, over keys [k0, k1). */
    void run(int b, int g, int t0, int nt, int k0, int k1) {
        rows = nt * a.group();
        int cols = roundUp(rows, VL);
        AttentionPack.queryColumns(a, q, b, t0, nt, g, scale, stage, qt, rp);
        AttentionPack.columnStats(a, causal, b, g, t0, nt, colLast, null, null, null, null);
        Arrays.fill(m, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, 0f);
        Arrays.fill(acc, 0, rows * dp, 0f);
        int firstLast = a.lastKey(causal, t0), kEnd = Math.min(k1, a.lastKey(causal, t0 + nt - 1) + 1);
        for (int j0 = k0; j0 < kEnd; j0 += blockKeys) { // causal: tiles from kEnd on are hidden from every row
            int nk = Math.min(blockKeys, kEnd - j0), keysPad = roundUp(nk, AttentionTiles.ROWS);
            boolean any = false;
            for (int j = 0; j < nk; j++) any |= keyOk[j] = AttentionArgs.keyAllowed(keyMask, a, b, j0 + j);
            if (!any) continue;
            AttentionPack.keyRows(a, k, b, j0, nk, g, 1f, kr, dp);
            Arrays.fill(kr, nk * dp, keysPad * dp, 0f);
            AttentionPack.keyRows(a, v, b, j0, nk, g, 1f, vr, dp);
            AttentionTiles.scores(kr, dp, keysPad, qt, rp, cols, d, st, rp);
            onlineSoftmax(j0, nk, cols, j0 + nk - 1 > firstLast);
            AttentionTiles.accumulate(st, 1, rp, rows, nk, vr, dp, dp, acc, 0, dp);
        }
    }

    /**
     * Folds the tile's scores (rows j < nk of st) into (m, l, acc), leaving p = exp(s - m_new) in st; masked keys,
     * and keys after a column's causal horizon when {@code partlyHidden}, get p = 0.
     */
    private void onlineSoftmax(int j0, int nk, int cols, boolean partlyHidden) {
        for (int c = 0; c < cols; c += VL) {
            FloatVector last = FloatVector.fromArray(SP, colLast, c), mx = NEG_INF;
            for (int j = 0, o = c; j < nk; j++, o += rp) {
                if (!keyOk[j]) continue;
                FloatVector x = FloatVector.fromArray(SP, st, o);
                if (partlyHidden) {
                    x = x.blend(NEG_INF, last.compare(VectorOperators.LT, (float) (j0 + j)));
                    x.intoArray(st, o);
                }
                mx = mx.max(x);
            }
            FloatVector mOld = FloatVector.fromArray(SP, m, c), mNew = mOld.max(mx);
            // A column that has seen no key yet keeps m = -inf; subtracting 0 instead keeps exp(-inf - m) = 0.
            FloatVector sub = mNew.blend(0f, mNew.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
            // The old state's scale exp(mOld - mNew) is taken below, outside this loop: see expInPlace.
            mOld.sub(sub).intoArray(alpha, c);
            FloatVector sum = FloatVector.zero(SP);
            for (int j = 0, o = c; j < nk; j++, o += rp) {
                if (!keyOk[j]) {
                    FloatVector.zero(SP).intoArray(st, o);
                    continue;
                }
                FloatVector p = VectorExp.exp(FloatVector.fromArray(SP, st, o).sub(sub));
                p.intoArray(st, o);
                sum = sum.add(p);
            }
            sum.intoArray(colSum, c);
            mNew.intoArray(m, c);
        }
        expInPlace(alpha, cols);
        for (int c = 0; c < cols; c += VL) {
            FloatVector.fromArray(SP, l, c).fma(FloatVector.fromArray(SP, alpha, c), FloatVector.fromArray(SP, colSum, c))
                    .intoArray(l, c);
        }
        for (int r = 0; r < rows; r++) {
            if (alpha[r] != 1f) scaleRow(acc, r * dp, dp, alpha[r]);
        }
    }

    /**
     * x = exp(x) over [0, n), n a multiple of VL. Apart from the score loop's exp on purpose: two inlined polynomial
     * exps in onlineSoftmax exceeded C2's inlining node budget and the score loop's exp went out of line.
     */
    private static void expInPlace(float[] x, int n) {
        for (int c = 0; c < n; c += VL) VectorExp.exp(FloatVector.fromArray(SP, x, c)).intoArray(x, c);
    }

    /** Copies this block's (m, l, acc) to slot {@code slot} of split-key partial buffers. */
    void saveTo(float[] pm, float[] pl, float[] pacc, int slot) {
        System.arraycopy(m, 0, pm, slot * maxRows, rows);
        System.arraycopy(l, 0, pl, slot * maxRows, rows);
        System.arraycopy(acc, 0, pacc, slot * maxRows * dp, rows * dp);
    }

    /** Combines {@code splits} partial states of a block of nt tokens, saved at slots [first, first + splits). */
    void mergeFrom(float[] pm, float[] pl, float[] pacc, int first, int splits, int nt) {
        rows = nt * a.group();
        for (int r = 0; r < rows; r++) {
            float mMax = Float.NEGATIVE_INFINITY;
            for (int sp = 0; sp < splits; sp++) mMax = Math.max(mMax, pm[(first + sp) * maxRows + r]);
            m[r] = mMax;
            l[r] = 0f;
            Arrays.fill(acc, r * dp, (r + 1) * dp, 0f);
            if (mMax == Float.NEGATIVE_INFINITY) continue;
            for (int sp = 0; sp < splits; sp++) {
                int slot = first + sp;
                float ms = pm[slot * maxRows + r];
                if (ms == Float.NEGATIVE_INFINITY) continue;
                float w = (float) Math.exp(ms - mMax);
                l[r] += w * pl[slot * maxRows + r];
                FloatVector wv = FloatVector.broadcast(SP, w);
                int src = (slot * maxRows + r) * dp;
                for (int c = 0; c < dp; c += VL) {
                    FloatVector.fromArray(SP, pacc, src + c)
                            .fma(wv, FloatVector.fromArray(SP, acc, r * dp + c)).intoArray(acc, r * dp + c);
                }
            }
        }
    }

    /** Normalises and writes out and lse for the block's rows; rows that saw no key get 0 and -inf. */
    void store(MemorySegment out, MemorySegment lse, int b, int g, int t0, int nt) {
        int group = a.group();
        for (int r = 0; r < rows; r++) {
            int h = g * group + r % group, t = t0 + r / group;
            boolean none = l[r] == 0f;
            scaleRow(acc, r * dp, dp, none ? 0f : 1f / l[r]);
            Segments.setFloat(lse, a.lseIndex(b, h, t),
                    none ? Float.NEGATIVE_INFINITY : m[r] + (float) Math.log(l[r]));
        }
        AttentionPack.storeQueryRows(a, acc, dp, 1f, out, b, t0, nt, g);
    }

    private static void scaleRow(float[] x, int from, int n, float mul) {
        FloatVector mv = FloatVector.broadcast(SP, mul);
        for (int c = 0; c < n; c += VL) FloatVector.fromArray(SP, x, from + c).mul(mv).intoArray(x, from + c);
    }
}
