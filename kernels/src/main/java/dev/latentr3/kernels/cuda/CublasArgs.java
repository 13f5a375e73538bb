package dev.latentr3.kernels.cuda;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The argument checks {@link CublasHandle} makes before calling cuBLAS, so that a bad call fails with an
 * IllegalArgumentException naming the argument, its value and the bound, not with whatever status the library picks.
 * NVIDIA's cuBLAS 13 answered cublasGemmEx with lda 4 < m 8 by CUBLAS_STATUS_EXECUTION_FAILED on an H200, not the
 * CUBLAS_STATUS_INVALID_VALUE that its documentation lists for a bad leading dimension; and a span past the end of a
 * buffer would not be reported at all, but fault on the device and poison the context.
 *
 * <p>The rules are cuBLAS's documented ones for cublasGemmEx / cublasGemmStridedBatchedEx: m, n, k and batchCount
 * {@code >= 0}; A is stored m x k (op N) or k x m (op T), B k x n or n x k, C m x n; column-major, so each leading
 * dimension is at least max(1, rows as stored). Added here: strides are {@code >= 0} (0 broadcasts A or B), batch
 * entries of C must not overlap (they would be written concurrently), and every segment must hold the last element
 * touched. The row-major entry checks the same in row-major terms (ld bounds the columns), with the names the caller
 * used, before {@link CublasHandle#gemmRowMajor} swaps the operands.
 */
final class CublasArgs {
    private CublasArgs() {}

    /** Checks a column-major call (the layout cuBLAS itself has). */
    static void columnMajor(String call, Shape s) {
        check(call, s, true);
    }

    /** Checks a row-major call ({@link CublasHandle#gemmRowMajor}'s contract, as GemmArgs has it for our kernels). */
    static void rowMajor(String call, Shape s) {
        check(call, s, false);
    }

    /** One (strided batched) GEMM's sizes, leading dimensions, element strides, segments and element sizes. */
    record Shape(int batch, boolean transA, boolean transB, int m, int n, int k,
                 MemorySegment a, int lda, long strideA, MemorySegment b, int ldb, long strideB,
                 MemorySegment c, int ldc, long strideC, CublasHandle.Precision p) {}

    private static void check(String call, Shape s, boolean columnMajor) {
        Objects.requireNonNull(s.a(), () -> call + ": a is null");
        Objects.requireNonNull(s.b(), () -> call + ": b is null");
        Objects.requireNonNull(s.c(), () -> call + ": c is null");
        nonNegative(call, "batch", s.batch());
        nonNegative(call, "m", s.m());
        nonNegative(call, "n", s.n());
        nonNegative(call, "k", s.k());
        nonNegative(call, "strideA", s.strideA());
        nonNegative(call, "strideB", s.strideB());
        nonNegative(call, "strideC", s.strideC());
        String layout = columnMajor ? "column-major" : "row-major";
        Operand a = new Operand("A", "lda", s.transA() ? "k" : "m", s.transA() ? "m" : "k",
                s.transA() ? s.k() : s.m(), s.transA() ? s.m() : s.k(), s.lda(), s.a(), s.strideA(), s.p().inputBytes());
        Operand b = new Operand("B", "ldb", s.transB() ? "n" : "k", s.transB() ? "k" : "n",
                s.transB() ? s.n() : s.k(), s.transB() ? s.k() : s.n(), s.ldb(), s.b(), s.strideB(), s.p().inputBytes());
        Operand c = new Operand("C", "ldc", "m", "n", s.m(), s.n(), s.ldc(), s.c(), s.strideC(), s.p().outputBytes());
        for (Operand o : new Operand[] {a, b, c}) o.checkLeading(call, columnMajor, layout);
        // Entries of C closer than one matrix apart would be written by concurrent kernels: the result would be a race.
        long oneC = c.span(1, columnMajor);
        if (s.batch() > 1 && s.strideC() < oneC) {
            throw new IllegalArgumentException(call + ": strideC is " + s.strideC() + ", expected at least " + oneC
                    + " (one " + s.m() + " x " + s.n() + " " + layout + " C with ldc " + s.ldc()
                    + ") when batch > 1: batch entries of C must not overlap");
        }
        for (Operand o : new Operand[] {a, b, c}) o.checkHolds(call, s.batch(), columnMajor, layout);
    }

    /** One matrix as stored: rows x cols (the names of the sizes), its leading dimension, segment and stride. */
    private record Operand(String name, String ldName, String rowsName, String colsName, int rows, int cols, int ld,
                           MemorySegment segment, long stride, int elementBytes) {

        /**
         * Column-major: ld separates columns, so it is at least max(1, rows) (cuBLAS's bound). Row-major: ld separates
         * rows, so it is at least cols; 0 is allowed for a matrix with no columns (gemmRowMajor raises it to 1).
         */
        void checkLeading(String call, boolean columnMajor, String layout) {
            int min = columnMajor ? Math.max(1, rows) : cols;
            if (ld < min) {
                String bound = columnMajor ? "max(1, " + rowsName + ")" : colsName;
                throw new IllegalArgumentException(call + ": " + ldName + " is " + ld + ", expected at least " + bound
                        + " = " + min + " (" + name + " is stored " + rowsName + " x " + colsName + " = " + rows + " x "
                        + cols + ", " + layout + ")");
            }
        }

        /** Elements that {@code batch} copies at {@code stride} span; 0 when there are none. */
        long span(int batch, boolean columnMajor) {
            if (batch == 0 || rows == 0 || cols == 0) return 0;
            int outer = columnMajor ? cols : rows, inner = columnMajor ? rows : cols;
            return (batch - 1) * stride + (long) (outer - 1) * ld + inner;
        }

        void checkHolds(String call, int batch, boolean columnMajor, String layout) {
            long need = span(batch, columnMajor), have = segment.byteSize() / elementBytes;
            if (have < need) {
                throw new IllegalArgumentException(call + ": segment " + name + " holds " + have + " elements of "
                        + elementBytes + " bytes, expected at least " + need + " for " + (batch > 1 ? batch
                        + " matrices at stride " + stride + " of " : "") + rows + " x " + cols + " " + layout
                        + " with leading dimension " + ld);
            }
        }
    }

    private static void nonNegative(String call, String name, long value) {
        if (value < 0) throw new IllegalArgumentException(call + ": " + name + " is " + value + ", expected >= 0");
    }
}
