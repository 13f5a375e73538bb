package dev.latentr3.bench.report;

import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;

import java.util.List;
import java.util.Locale;

/**
 * The peak device memory a whole-step CUDA benchmark or GPU script reports, as the row's note says it, so that ours
 * and PyTorch's read alike: ours from the JMH auxiliary counter {@code peakDeviceMiB} (our allocator's peak of live
 * blocks since setup), PyTorch's from the script's {@code peak_bytes} (torch.cuda.max_memory_allocated since setup).
 */
final class PeakMemoryNote {
    private PeakMemoryNote() {}

    /** The auxiliary counter the CUDA step benchmarks export (CudaTrainBench.PeakMemory). */
    static final String COUNTER = "peakDeviceMiB";

    private static final double GIB = 1L << 30;

    /** "peak device memory 12.34 GiB (...)" from the highest iteration's counter, or null when no iteration has one. */
    static String ofIterations(List<IterationResult> iterations) {
        double mib = Double.NaN;
        for (IterationResult it : iterations) {
            Result<?> r = it.getSecondaryResults().get(COUNTER);
            if (r != null && (Double.isNaN(mib) || r.getScore() > mib)) mib = r.getScore();
        }
        return Double.isNaN(mib) ? null : ofMiB(mib);
    }

    /** The note for our peak of {@code mib} MiB. */
    static String ofMiB(double mib) {
        return String.format(Locale.ROOT, "peak device memory %.2f GiB (our allocator's live blocks, after setup)",
                mib * (1 << 20) / GIB);
    }

    /** ", peak device memory 12.34 GiB (...)" from a script's peak_bytes, or "" when it reports none (CPU runs). */
    static String ofScript(ScriptResult r) {
        if (!(r.fields().get("peak_bytes") instanceof Number n)) return "";
        return String.format(Locale.ROOT, ", peak device memory %.2f GiB (torch.cuda.max_memory_allocated, after setup)",
                n.doubleValue() / GIB);
    }
}
