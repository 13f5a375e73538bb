package dev.latentr3.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchReportTest {

    @Test
    void estimateUsesTheBenchmarksOwnIterationTimesUnlessTheModeSetsThem() {
        BenchRun gemm = new BenchRun("GemmBenchmark.fastGemm", Map.of("shape", "256x256x256"));
        // GemmBenchmark iterates 2 s: 3 forks x (5 s start-up + 5 x 2 s warm-up + 5 x 2 s measured).
        assertEquals(75, BenchReport.estimateSeconds(gemm, RunMode.REPORTED), 1e-9);
        // Quick: 1 fork x (5 + 2 x 0.3 + 3 x 0.3).
        assertEquals(6.5, BenchReport.estimateSeconds(gemm, RunMode.QUICK), 1e-9);
        // RmsNormBenchmark iterates 1 s.
        assertEquals(45, BenchReport.estimateSeconds(new BenchRun("RmsNormBenchmark.forward", Map.of()), RunMode.REPORTED), 1e-9);
        // Device mode, a CUDA benchmark: 3 forks x (2 s CUDA start-up + 5 x 0.1 s + 5 x 0.1 s).
        assertEquals(9, BenchReport.estimateSeconds(new BenchRun("CudaCopyBenchmark.copy", Map.of()), RunMode.DEVICE), 1e-9);
        // A gpu_ops.py case: 4 s start-up + (5 warm-up + 15 measured rounds) x 0.1 s.
        ScriptRun sdpa = new ScriptRun(Workloads.GPU_OPS, Map.of("op", "sdpa"), 1, Map.of());
        assertEquals(6, BenchReport.estimateSeconds(sdpa, RunMode.DEVICE), 1e-9);
    }

    @Test
    void aFailedBenchmarkIsExplainedByTheFirstExceptionInItsLog(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("jmh.log");
        Files.writeString(log, """
                # Benchmark: dev.latentr3.bench.GemmBenchmark.openBlas
                # Warmup Iteration   1: <failure>

                java.lang.IllegalStateException: cannot run the OpenBLAS reference: OpenBLAS not found
                \tat dev.latentr3.bench.GemmBenchmark.openBlas(GemmBenchmark.java:80)
                Caused by: java.lang.RuntimeException: inner
                """);
        assertEquals("java.lang.IllegalStateException: cannot run the OpenBLAS reference: OpenBLAS not found", BenchReport.firstError(log));
        assertEquals("no results (see the log)", BenchReport.firstError(dir.resolve("missing.log")));
    }
}
