package dev.latentr3.bench.report;

import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;

import java.util.List;
import java.util.Locale;

/**
 * The peak device memory a whole-step CUDA benchmark or GPU script reports, as the row's note says it, so that ours
 * and PyTorch's read alike: ours from the JMH auxiliary counters {@code peakDeviceMiB} (our allocator's peak of live
 * blocks since setup) and {@code peakRequestedMiB} (the same counting the sizes tensors asked for), PyTorch's from the
 * script's {@code peak_bytes} (torch.cuda.max_memory_allocated since setup, which counts requested sizes).
 */
final class PeakMemoryNote {
    private PeakMemoryNote() {}

    /** The auxiliary counters the CUDA step benchmarks export (CudaTrainBench.PeakMemory). */
    static final String COUNTER = "peakDeviceMiB", REQUESTED_COUNTER = "peakRequestedMiB";

    private static final double GIB = 1L << 30;

    /** "peak device memory 12.34 GiB (...)" from the highest iteration's counter, or null when no iteration has one. */
    static String ofIterations(List<IterationResult> iterations) {
        double mib = highest(iterations, COUNTER), requested = highest(iterations, REQUESTED_COUNTER);
        return Double.isNaN(mib) ? null : ofMiB(mib, requested);
    }

    private static double highest(List<IterationResult> iterations, String counter) {
        double mib = Double.NaN;
        for (IterationResult it : iterations) {
            Result<?> r = it.getSecondaryResults().get(counter);
            if (r != null && (Double.isNaN(mib) || r.getScore() > mib)) mib = r.getScore();
        }
        return mib;
    }

    /** The note for our peak of {@code mib} MiB of blocks, {@code requested} MiB as asked for (NaN when unknown). */
    static String ofMiB(double mib, double requested) {
        String blocks = String.format(Locale.ROOT, "peak device memory %.2f GiB (our allocator's live blocks, after setup)",
                mib * (1 << 20) / GIB);
        return Double.isNaN(requested) ? blocks : blocks + String.format(Locale.ROOT,
                "; %.2f GiB as the tensors asked for it (the count of torch.cuda.max_memory_allocated)", requested * (1 << 20) / GIB);
    }

    /** ", peak device memory 12.34 GiB (...)" from a script's peak_bytes, or "" when it reports none (CPU runs). */
    static String ofScript(ScriptResult r) {
        if (!(r.fields().get("peak_bytes") instanceof Number n)) return "";
        return String.format(Locale.ROOT, ", peak device memory %.2f GiB (torch.cuda.max_memory_allocated, after setup)",
                n.doubleValue() / GIB);
    }
}
