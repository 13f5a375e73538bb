package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.GemmKernels;
import dev.latentr3.kernels.Parallel;

import java.lang.foreign.MemorySegment;

import static dev.latentr3.kernels.Segments.F32;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.MR;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.NR;

/**
 * Fast fp32 GEMM: packed, cache-blocked, register-tiled (Vector API) and split over all cores. Shapes with a tiny
 * side (decode-time matrix-vector products, a handful of columns) skip packing and stream the big operand directly.
 * Batched calls of small matrices run whole matrices per thread instead of splitting each one.
 */
public final class FastGemm implements GemmKernels {

    /**
     * Up to this many rows of op(A) (or columns of op(B)) the unpacked skinny kernels beat packing: packing the big
     * operand costs about as much as that many multiply-adds per element. Measured on 4864 x 896 operands: the dot
     * kernel (depth contiguous in both operands) holds up longer than the axpy one.
     */
    static final int DOT_MAX = 96;
    static final int AXPY_MAX = 48;
    /**
     * Below this many multiply-adds a GEMM stays on one thread: handing work to a parked pool thread and joining it
     * costs some 50-100 us on the 2-core development VM, about 8M multiply-adds of packed-kernel time (~200^3) and,
     * for the slower memory-bound skinny kernels, about 2M.
     */
    private static final long SERIAL_WORK = 1L << 23, SERIAL_WORK_SKINNY = 1L << 21;
    /** A batch entry smaller than this (multiply-adds) is run whole on one thread. */
    private static final long BATCH_ENTRY_WORK = 1L << 23;
    /** Relative cost of packing one element versus one multiply-add of the micro-kernel (vector FMA throughput). */
    private static final long PACK_COST = 16;

    private final int dotMax, axpyMax;

    public FastGemm() {
        this(DOT_MAX, AXPY_MAX);
    }

    /** Other cut-overs between the skinny and packed paths: 0 forces packing, a huge value the skinny kernels. */
    FastGemm(int dotMax, int axpyMax) {
        this.dotMax = dotMax;
        this.axpyMax = axpyMax;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, MemorySegment a, int lda, MemorySegment b, int ldb,
                      float beta, MemorySegment c, int ldc) {
        GemmArgs.check("FastGemm.sgemm", transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        multiply(new GemmCall(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc), true);
    }

    @Override
    public void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                             float alpha, MemorySegment a, long strideA, int lda, MemorySegment b, long strideB, int ldb,
                             float beta, MemorySegment c, long strideC, int ldc) {
        GemmArgs.checkBatched("FastGemm.sgemmBatched", batch, transA, transB, m, n, k,
                a, strideA, lda, b, strideB, ldb, c, strideC, ldc);
        if (batch == 0 || m == 0 || n == 0) return;
        long work = (long) m * n * Math.max(1, k);
        // Whole matrices per thread avoid both the split overhead and any duplicated packing; with few large
        // entries the threads would idle, so those split each matrix instead.
        boolean perEntry = batch > 1 && (work < BATCH_ENTRY_WORK || batch >= 4 * Parallel.threads());
        if (perEntry) {
            Parallel.forRange(batch, work, (from, to) -> {
                for (int i = from; i < to; i++) multiply(entry(i, transA, transB, m, n, k, alpha, a, strideA, lda,
                        b, strideB, ldb, beta, c, strideC, ldc), false);
            });
        } else {
            for (int i = 0; i < batch; i++) {
                multiply(entry(i, transA, transB, m, n, k, alpha, a, strideA, lda, b, strideB, ldb, beta, c, strideC, ldc),
                        true);
            }
        }
    }

    private static GemmCall entry(int i, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  MemorySegment a, long strideA, int lda, MemorySegment b, long strideB, int ldb,
                                  float beta, MemorySegment c, long strideC, int ldc) {
        return new GemmCall(transA, transB, m, n, k, alpha, a, i * strideA, lda, b, i * strideB, ldb, beta, c, i * strideC, ldc);
    }

    /** Runs one checked GEMM, on all cores when {@code parallel}. */
    private void multiply(GemmCall g, boolean parallel) {
        if (g.m() == 0 || g.n() == 0) return;
        if (g.k() == 0) {
            scaleC(g);
        } else if (g.m() <= (g.transB() ? dotMax : axpyMax)) {
            fewRows(g, parallel);
        } else if (g.n() <= (g.transA() ? axpyMax : dotMax)) {
            fewColumns(g, parallel);
        } else {
            blocked(g, parallel);
        }
    }

    /** An empty product: C = alpha * 0 + beta * C, written like the reference so that 0 * inf agrees too. */
    private static void scaleC(GemmCall g) {
        MemorySegment c = g.c();
        for (int i = 0; i < g.m(); i++) {
            for (int j = 0; j < g.n(); j++) {
                long ci = g.cIndex(i, j);
                float v = g.alpha() * 0f;
                if (g.beta() != 0) v += g.beta() * c.getAtIndex(F32, ci);
                c.setAtIndex(F32, ci, v);
            }
        }
    }

    /** Few rows of op(A): op(A) copied (tiny), B streamed once, split over columns of C. */
    private static void fewRows(GemmCall g, boolean parallel) {
        int m = g.m(), n = g.n(), k = g.k();
        parallel &= (long) m * n * k >= SERIAL_WORK_SKINNY;
        float[] x = GemmSkinny.packRows(g.a(), g.aOff(), m, k, g.transA() ? 1 : g.lda(), g.transA() ? g.lda() : 1);
        if (g.transB()) {
            // C[i, j] = dot(op(A) row i, B row j): B's rows are contiguous along k.
            int step = GemmSkinny.DOT_GROUP;
            forRange(parallel, (n + step - 1) / step, (long) step * m * k, (from, to) ->
                    GemmSkinny.dot(k, x, 0, m, g.b(), g.bOff(), g.ldb(), from * step, Math.min(to * step, n),
                            g.alpha(), g.beta(), g.c(), g.cOff(), g.ldc(), 1));
        } else {
            // C row i = sum_p op(A)[i, p] * (row p of B): B's rows are contiguous along n.
            int step = GemmSkinny.AXPY_WIDTH;
            forRange(parallel, (n + step - 1) / step, (long) step * m * k, (from, to) ->
                    GemmSkinny.axpy(k, x, 0, m, g.b(), g.bOff(), g.ldb(), from * step, Math.min(to * step, n),
                            g.alpha(), g.beta(), g.c(), g.cOff(), g.ldc(), 1));
        }
    }

    /** Few columns of op(B): the same kernels on the transposed problem, C^T = op(B)^T op(A)^T, split over rows of C. */
    private static void fewColumns(GemmCall g, boolean parallel) {
        int m = g.m(), n = g.n(), k = g.k();
        parallel &= (long) m * n * k >= SERIAL_WORK_SKINNY;
        float[] x = GemmSkinny.packRows(g.b(), g.bOff(), n, k, g.transB() ? g.ldb() : 1, g.transB() ? 1 : g.ldb());
        if (!g.transA()) {
            int step = GemmSkinny.DOT_GROUP;
            forRange(parallel, (m + step - 1) / step, (long) step * n * k, (from, to) ->
                    GemmSkinny.dot(k, x, 0, n, g.a(), g.aOff(), g.lda(), from * step, Math.min(to * step, m),
                            g.alpha(), g.beta(), g.c(), g.cOff(), 1, g.ldc()));
        } else {
            int step = GemmSkinny.AXPY_WIDTH;
            forRange(parallel, (m + step - 1) / step, (long) step * n * k, (from, to) ->
                    GemmSkinny.axpy(k, x, 0, n, g.a(), g.aOff(), g.lda(), from * step, Math.min(to * step, m),
                            g.alpha(), g.beta(), g.c(), g.cOff(), 1, g.ldc()));
        }
    }

    /**
     * The packed path. C is cut into a grid of rectangles, one per thread, each run as an independent blocked GEMM
     * with its own packing: no synchronisation inside, at the price of packing A once per grid column and B once per
     * grid row. The grid shape is chosen to keep that duplicated packing small.
     */
    private static void blocked(GemmCall g, boolean parallel) {
        int m = g.m(), n = g.n(), k = g.k();
        int mTiles = (m + MR - 1) / MR, nTiles = (n + NR - 1) / NR;
        int units = parallel && (long) m * n * k >= SERIAL_WORK ? Parallel.threads() : 1;
        int bestRows = 1, bestCols = 1;
        long bestCost = Long.MAX_VALUE;
        for (int tm = 1; tm <= Math.min(units, mTiles); tm++) {
            int tn = Math.min(units / tm, nTiles);
            long rows = (long) ((mTiles + tm - 1) / tm) * MR, cols = (long) ((nTiles + tn - 1) / tn) * NR;
            long cost = rows * cols + PACK_COST * (rows * ((cols + GemmBlocked.NC - 1) / GemmBlocked.NC) + cols);
            if (cost < bestCost) {
                bestCost = cost;
                bestRows = tm;
                bestCols = tn;
            }
        }
        int tm = bestRows, tn = bestCols;
        long unitWork = (long) ((mTiles + tm - 1) / tm) * MR * ((nTiles + tn - 1) / tn) * NR * k;
        Parallel.forRange(tm * tn, unitWork, (from, to) -> {
            for (int u = from; u < to; u++) {
                int ti = u / tn, tj = u % tn;
                int i0 = Math.min(m, (int) ((long) mTiles * ti / tm) * MR);
                int i1 = Math.min(m, (int) ((long) mTiles * (ti + 1) / tm) * MR);
                int j0 = Math.min(n, (int) ((long) nTiles * tj / tn) * NR);
                int j1 = Math.min(n, (int) ((long) nTiles * (tj + 1) / tn) * NR);
                if (i0 < i1 && j0 < j1) GemmBlocked.run(g, i0, i1, j0, j1);
            }
        });
    }

    private static void forRange(boolean parallel, int n, long workPerIndex, Parallel.Range body) {
        if (parallel) {
            Parallel.forRange(n, workPerIndex, body);
        } else if (n > 0) {
            body.run(0, n);
        }
    }
}
