package dev.latentr3.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenBLAS reference for GEMM benchmarks, bound with the FFM API: {@code cblas_sgemm} and
 * {@code openblas_set_num_threads}. The library is found from {@code $LATENTR3_OPENBLAS} (a path), then Debian's
 * pthread build, then {@code libopenblas.so.0} through the system loader. When none loads, {@link #available()} is
 * false and {@link #problem()} says what was tried.
 */
public final class OpenBlas {
    private OpenBlas() {}

    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static final String DEBIAN_PATH = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0";

    private static final MethodHandle SGEMM;
    private static final MethodHandle SET_THREADS;
    private static final String PROBLEM;

    static {
        List<String> tried = new ArrayList<>();
        SymbolLookup lookup = null;
        String env = System.getenv("LATENTR3_OPENBLAS");
        if (env != null && !env.isBlank()) lookup = open(Path.of(env), "$LATENTR3_OPENBLAS=" + env, tried);
        if (lookup == null) lookup = open(Path.of(DEBIAN_PATH), DEBIAN_PATH, tried);
        if (lookup == null) {
            try {
                lookup = SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
            } catch (IllegalArgumentException e) {
                tried.add("libopenblas.so.0 via the system loader (" + e.getMessage() + ")");
            }
        }
        MethodHandle sgemm = null, threads = null;
        if (lookup != null) {
            Linker linker = Linker.nativeLinker();
            var i32 = ValueLayout.JAVA_INT;
            var f32 = ValueLayout.JAVA_FLOAT;
            var ptr = ValueLayout.ADDRESS;
            sgemm = lookup.find("cblas_sgemm").map(s -> linker.downcallHandle(s, FunctionDescriptor.ofVoid(
                    i32, i32, i32, i32, i32, i32, f32, ptr, i32, ptr, i32, f32, ptr, i32))).orElse(null);
            threads = lookup.find("openblas_set_num_threads").map(s -> linker.downcallHandle(s,
                    FunctionDescriptor.ofVoid(i32))).orElse(null);
            if (sgemm == null) tried.add("the library loaded but has no cblas_sgemm");
        }
        SGEMM = sgemm;
        SET_THREADS = threads;
        PROBLEM = sgemm != null ? null : "OpenBLAS not found; tried: " + String.join("; ", tried)
                + ". Install libopenblas0-pthread or set LATENTR3_OPENBLAS to libopenblas.so's path.";
    }

    private static SymbolLookup open(Path path, String what, List<String> tried) {
        if (!Files.exists(path)) {
            tried.add(what + " (no such file)");
            return null;
        }
        try {
            return SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            tried.add(what + " (" + e.getMessage() + ")");
            return null;
        }
    }

    public static boolean available() {
        return SGEMM != null;
    }

    /** Why OpenBLAS cannot run, or null when it can. */
    public static String problem() {
        return PROBLEM;
    }

    /** Fixes OpenBLAS's thread count (so it competes with as many cores as our kernels use); no-op if unsupported. */
    public static void setThreads(int threads) {
        if (SET_THREADS == null) return;
        try {
            SET_THREADS.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /** Row-major {@code cblas_sgemm}; same argument meaning as {@code GemmKernels.sgemm}. Segments must be native. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                             MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        if (SGEMM == null) throw new IllegalStateException(PROBLEM);
        try {
            SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }
}
