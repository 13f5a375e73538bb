package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.cpu.ElementwiseArgs;

import java.lang.foreign.MemorySegment;

/**
 * The row gathers and scatters of {@link dev.latentr3.kernels.ElementwiseKernels} on the device
 * (native/kernels/row_indexing.cu). Unlike the CPU kernels, which check every index before any work, these check on
 * the device: rows with a good index are written, then the call fails naming a bad one.
 */
final class CudaRowIndexing {
    static final Kernel GATHER = new Kernel("gather_rows_f32", "iipippp");
    static final Kernel SCATTER_ADD = new Kernel("scatter_add_rows_f32", "iippipp");
    static final Kernel CLAIM_LAST = new Kernel("claim_rows_last", "ipipp");
    static final Kernel PUT = new Kernel("put_rows_f32", "iippipp");
    static final Kernel FILL = new Kernel("fill_rows_f32", "iifpipp");

    private final CudaRuntime rt;

    CudaRowIndexing(CudaRuntime rt) {
        this.rt = rt;
    }

    private static void sizes(String kernel, int n, int dim, int rows, MemorySegment idx, String rowsArg,
                              MemorySegment rowsSeg, String denseArg, MemorySegment denseSeg) {
        ElementwiseArgs.nonNegative(kernel, "n", n);
        ElementwiseArgs.nonNegative(kernel, "dim", dim);
        ElementwiseArgs.nonNegative(kernel, "rows", rows);
        ElementwiseArgs.holds(kernel, "idx", idx, n, Integer.BYTES);
        ElementwiseArgs.holds(kernel, rowsArg, rowsSeg, (long) rows * dim, Float.BYTES);
        if (denseArg != null) ElementwiseArgs.holds(kernel, denseArg, denseSeg, (long) n * dim, Float.BYTES);
    }

    private Dim3 grid(long n) {
        return rt.linearGrid(n);
    }

    private static String outOfRange(int rows) {
        return "is out of range for " + rows + " rows (expected 0 <= idx < " + rows + ")";
    }

    void gatherRows(int n, int dim, MemorySegment table, int rows, MemorySegment idx, MemorySegment out) {
        sizes("gatherRows", n, dim, rows, idx, "table", table, "out", out);
        long total = (long) n * dim;
        if (total == 0) return;
        try (StatusWord status = new StatusWord(rt)) {
            rt.launch(GATHER, grid(total), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, dim, table, rows, idx, out, status.segment());
            status.check("gatherRows", "idx", outOfRange(rows));
        }
    }

    void scatterAddRows(int n, int dim, MemorySegment dOut, MemorySegment idx, int rows, MemorySegment dTable) {
        sizes("scatterAddRows", n, dim, rows, idx, "dTable", dTable, "dOut", dOut);
        long total = (long) n * dim;
        if (total == 0) return;
        try (StatusWord status = new StatusWord(rt)) {
            rt.launch(SCATTER_ADD, grid(total), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, dim, dOut, idx, rows, dTable,
                    status.segment());
            status.check("scatterAddRows", "idx", outOfRange(rows));
        }
    }

    void putRows(int n, int dim, MemorySegment src, MemorySegment idx, int rows, MemorySegment dst) {
        sizes("putRows", n, dim, rows, idx, "dst", dst, "src", src);
        if ((long) n * dim == 0) return;
        try (StatusWord status = new StatusWord(rt); DeviceBuffer owner = rt.allocator().allocate((long) rows * Integer.BYTES)) {
            rt.fill32(owner.segment(), -1, rows);
            rt.launch(CLAIM_LAST, grid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, idx, rows, owner.segment(), status.segment());
            status.check("putRows", "idx", outOfRange(rows));
            rt.launch(PUT, grid((long) n * dim), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, dim, src, idx, rows,
                    owner.segment(), dst);
        }
    }

    void fillRows(int n, int dim, float value, MemorySegment idx, int rows, MemorySegment dst) {
        sizes("fillRows", n, dim, rows, idx, "dst", dst, null, null);
        long total = (long) n * dim;
        if (total == 0) return;
        try (StatusWord status = new StatusWord(rt)) {
            rt.launch(FILL, grid(total), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, dim, value, idx, rows, dst, status.segment());
            status.check("fillRows", "idx", outOfRange(rows));
        }
    }
}
