package dev.latentr3.bench.report;

import dev.latentr3.bench.CudaBench;
import dev.latentr3.kernels.cuda.CublasHandle;
import dev.latentr3.kernels.cuda.CudaRuntime;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The side-by-side performance report: {@code ./latentr3 bench report [--quick | --device-mode | --device-one-fork] [--only REGEX]
 * [--out DIR] [--resume | --resume-from CSV] [--dry-run] [--cores N] [--ghz X] [--fma-units N]}. Runs every comparison in {@link Workloads} through
 * JMH, ours then the reference for each row (so both see the same machine load), converts each iteration's time to
 * the row's unit, and writes {@code <out>/[<gpu>-]<machine>-<date>.md} and {@code .csv} (rewritten after every row, marked partial until the last). A side that several rows share (our
 * cuBLAS fp32 GEMM, against our kernel and against PyTorch) is measured once and its figures reused. JMH's own output
 * goes to one log per benchmark in a temporary folder, named when a benchmark fails. {@code --resume} continues the
 * report of the same name in {@code --out} that a stopped run left (same machine, commit and mode): the rows it
 * measured are kept, the others are run; {@code --resume-from CSV} takes them from that file, whatever its name.
 */
public final class BenchReport {
    private BenchReport() {}

    /** JVM start, class loading and input setup per fork, in seconds: a guess, used only for the time estimate. */
    private static final double FORK_OVERHEAD_S = 5;
    /**
     * The same for a CUDA benchmark's fork (JVM start, CUDA and cuBLAS initialisation, inputs): about 1.6 s measured on
     * an H200 host with 16 cores; the largest inputs (the 151936-wide GEMM, 1 GiB copies) take a little longer.
     */
    private static final double CUDA_FORK_OVERHEAD_S = 2;
    /** Python start, torch import and CUDA initialisation of one bench/torch/gpu_ops.py case: a guess. */
    private static final double GPU_SCRIPT_OVERHEAD_S = 4;
    /**
     * A CUDA training or LR-GRPO step side, per fork: building a Qwen2.5-0.5B/1.5B-shaped model on the device, and
     * iterations that last one step (up to half a second) rather than 100 ms. Measured on an H200 (2026-11-26, device
     * mode): 5.7-14.4 s per fork for ours, 12-28 s per PyTorch side; 8 and 12 s put the report's total within 10%.
     */
    private static final double CUDA_STEP_FORK_OVERHEAD_S = 8;
    private static final double GPU_STEP_SCRIPT_OVERHEAD_S = 12;

    public static void main(String[] args) throws IOException {
        RunMode mode = RunMode.REPORTED;
        Pattern only = null;
        Path out = Path.of("bench", "results");
        boolean dryRun = false;
        boolean resume = false;
        Path resumeFrom = null;
        Integer cores = null;
        Double ghz = null;
        Integer fmaUnits = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> mode = RunMode.QUICK;
                case "--device-mode" -> mode = RunMode.DEVICE;
                case "--device-one-fork" -> mode = RunMode.DEVICE_ONE_FORK;
                case "--only" -> only = Pattern.compile(value(args, ++i, "--only"));
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--dry-run" -> dryRun = true;
                case "--resume" -> resume = true;
                case "--resume-from" -> resumeFrom = Path.of(value(args, ++i, "--resume-from"));
                case "--cores" -> cores = Integer.parseInt(value(args, ++i, "--cores"));
                case "--ghz" -> ghz = Double.parseDouble(value(args, ++i, "--ghz"));
                case "--fma-units" -> fmaUnits = Integer.parseInt(value(args, ++i, "--fma-units"));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        List<Comparison> plan = new ArrayList<>();
        for (Comparison c : Workloads.all()) if (only == null || only.matcher(c.searchText()).find()) plan.add(c);
        if (plan.isEmpty()) usage("--only " + only + " matches no row");

        Machine machine = Machine.detect(cores, ghz, fmaUnits);
        String gpu = gpuNote();
        String gpuSlug = gpuSlug(plan);
        LocalDate date = LocalDate.now();
        Map<Comparison, RowResult> resumed = Map.of();
        if (resume && resumeFrom != null) usage("--resume and --resume-from: give one");
        if (resume || resumeFrom != null) {
            Path previous = resumeFrom != null ? resumeFrom
                    : out.resolve(new Report(machine, date, mode, List.of(), gpu, gpuSlug, plan.size()).fileStem() + ".csv");
            if (!Files.isRegularFile(previous)) usage((resume ? "--resume" : "--resume-from") + ": no report to resume at " + previous);
            resumed = ReportResume.read(previous, plan, mode, machine.slug(), machine.commit());
            System.out.printf(Locale.ROOT, "resuming %s: %d of %d rows already measured%n", previous, resumed.size(), plan.size());
        }
        Set<Side> unique = new LinkedHashSet<>();
        for (Comparison c : plan) if (!resumed.containsKey(c)) unique.addAll(sides(c));
        int benchmarks = unique.size();
        double seconds = 0;
        for (Side b : unique) seconds += estimateSeconds(b, mode);
        System.out.printf(Locale.ROOT, "bench report: %s mode, %d rows, %d benchmarks to run, about %.1f min%n",
                mode.name(), plan.size(), benchmarks, seconds / 60);
        // Rows this machine skips (no GPU, no OpenBLAS) still tell what the run would take where they can run.
        Set<Side> everySide = new LinkedHashSet<>();
        for (Comparison c : plan) {
            everySide.add(c.ours());
            if (c.reference() != null) everySide.add(c.reference());
        }
        if (everySide.size() > unique.size()) {
            double all = 0;
            for (Side b : everySide) all += estimateSeconds(b, mode);
            System.out.printf(Locale.ROOT, "  where no side is skipped: %d benchmarks, about %.1f min%n", everySide.size(), all / 60);
        }
        System.out.println("machine: " + machine.slug() + "; " + machine.peakFormula());
        if (dryRun) {
            for (Side b : unique) System.out.println("  " + b.command(mode));
            return;
        }

        Path logs = Files.createTempDirectory("latentr3-bench-report-");
        System.out.println("JMH logs: " + logs);
        Instant start = Instant.now();
        List<RowResult> results = new ArrayList<>();
        // Outcomes by side and work per call (a rate is the row's work over the side's time): a side that several rows
        // share runs once.
        Map<Measured, Outcome> measured = new HashMap<>();
        int done = 0;
        for (Comparison c : plan) {
            RowResult previous = resumed.get(c);
            if (previous != null) {
                // Its sides count as measured, so a later row sharing one reuses it as in an uninterrupted run.
                if (previous.ours().ran()) measured.putIfAbsent(new Measured(c.ours(), c.workPerCall()), previous.ours());
                if (c.reference() != null && previous.reference().ran()) {
                    measured.putIfAbsent(new Measured(c.reference(), c.workPerCall()), previous.reference());
                }
                results.add(previous);
                continue;
            }
            Outcome ours = c.skipOurs() != null ? Outcome.notRun(c.skipOurs(), c.ours().command(mode.jmhFlags()))
                    : measured.get(new Measured(c.ours(), c.workPerCall()));
            if (ours == null) {
                ours = measure(c, c.ours(), mode, logs, ++done, benchmarks);
                measured.put(new Measured(c.ours(), c.workPerCall()), ours);
            }
            Outcome ref;
            if (c.reference() == null) ref = Outcome.notRun(c.skipReference(), null);
            else if (c.skipReference() != null) ref = Outcome.notRun(c.skipReference(), c.reference().command(mode));
            else if (measured.containsKey(new Measured(c.reference(), c.workPerCall()))) {
                ref = measured.get(new Measured(c.reference(), c.workPerCall()));
            }
            else {
                ref = switch (c.reference()) {
                    case BenchRun b -> measure(c, b, mode, logs, ++done, benchmarks);
                    case ScriptRun script -> ScriptSide.measure(c, script, mode, logs, ++done, benchmarks);
                };
                measured.put(new Measured(c.reference(), c.workPerCall()), ref);
            }
            results.add(new RowResult(c, ours, ref));
            // Rewritten after every row (atomically): a run stopped midway leaves the rows it measured, marked partial.
            ReportWriter.write(out, new Report(machine, date, mode, List.copyOf(results), gpu, gpuSlug, plan.size()));
        }
        Report report = new Report(machine, date, mode, results, gpu, gpuSlug, plan.size());
        List<Path> written = ReportWriter.write(out, report);
        System.out.println();
        System.out.print(ReportWriter.markdown(report));
        System.out.printf(Locale.ROOT, "%nwrote %s and %s in %.1f min%n", written.get(0), written.get(1),
                Duration.between(start, Instant.now()).toSeconds() / 60.0);
    }

    /** A side measured for rows of this work per call. */
    private record Measured(Side side, double workPerCall) {}

    private static List<Side> sides(Comparison c) {
        List<Side> s = new ArrayList<>();
        if (c.skipOurs() == null) s.add(c.ours());
        if (c.reference() != null && c.skipReference() == null) s.add(c.reference());
        return s;
    }

    /** Runs one benchmark through JMH and turns each measured iteration (all forks) into a rate. */
    private static Outcome measure(Comparison c, BenchRun b, RunMode mode, Path logs, int index, int total) {
        String command = b.command(mode.jmhFlags());
        Path log = logs.resolve(String.format(Locale.ROOT, "%03d-%s.log", index, b.describe().replaceAll("[^A-Za-z0-9.=-]+", "_")));
        System.out.printf(Locale.ROOT, "[%d/%d] %s ... ", index, total, b.describe());
        System.out.flush();
        ChainedOptionsBuilder o = new OptionsBuilder().include(b.includeRegex())
                .forks(mode.forks()).warmupIterations(mode.warmups()).measurementIterations(mode.iterations())
                .shouldFailOnError(false).output(log.toString())
                // Forks print to the report's console: keep it to progress (no per-iteration rates, and no SLF4J
                // "no providers" warning from the tokenizer reference's DJL, which logs nothing here).
                .jvmArgsPrepend("-D" + CudaBench.QUIET_PROPERTY + "=true", "-Dslf4j.internal.verbosity=ERROR");
        b.params().forEach((k, v) -> o.param(k, v));
        if (mode.warmupTime() != null) o.warmupTime(TimeValue.fromString(mode.warmupTime()));
        if (mode.measureTime() != null) o.measurementTime(TimeValue.fromString(mode.measureTime()));
        Collection<RunResult> runs;
        double elapsed;
        try {
            long t0 = System.nanoTime();
            runs = new Runner(o.build()).run();
            elapsed = (System.nanoTime() - t0) / 1e9;
        } catch (RunnerException e) {
            System.out.println("failed");
            return Outcome.notRun("failed: " + e.getMessage() + " (JMH log: " + log + ")", command);
        }
        if (runs.size() > 1) throw new IllegalStateException(b.describe() + ": matched " + runs.size() + " benchmarks, expected one");
        List<Double> rates = new ArrayList<>();
        List<IterationResult> iterations = new ArrayList<>();
        for (RunResult run : runs) {
            for (BenchmarkResult fork : run.getBenchmarkResults()) {
                for (IterationResult it : fork.getIterationResults()) {
                    rates.add(c.section().unit.rate(c.workPerCall(), secondsPerCall(it)));
                    iterations.add(it);
                }
            }
        }
        if (rates.isEmpty()) {
            System.out.println("failed");
            return Outcome.notRun("failed: " + firstError(log) + " (JMH log: " + log + ")", command);
        }
        Spread s = Spread.of(rates.stream().mapToDouble(Double::doubleValue).toArray());
        // The side's wall time, to check the estimate against.
        System.out.printf(Locale.ROOT, "%s %s (%.1f s)%n", ReportWriter.fmt(s.median()), c.section().unit.label, elapsed);
        return Outcome.measured(s, command, PeakMemoryNote.ofIterations(iterations));
    }

    /**
     * Seconds per call of one iteration: the CUDA benchmarks' device time (their {@code deviceMillis} and {@code calls}
     * auxiliary counters, from CUDA events) when present, else JMH's primary score (wall time).
     */
    static double secondsPerCall(IterationResult it) {
        var secondary = it.getSecondaryResults();
        var millis = secondary.get("deviceMillis");
        var calls = secondary.get("calls");
        if (millis != null && calls != null && calls.getScore() > 0) return millis.getScore() / 1e3 / calls.getScore();
        org.openjdk.jmh.results.Result<?> p = it.getPrimaryResult();
        return RateUnit.secondsPerCall(p.getScore(), p.getScoreUnit());
    }

    /** The first exception line JMH logged for a failed benchmark, or a pointer to the log. */
    static String firstError(Path log) {
        try {
            for (String line : Files.readAllLines(log)) {
                if (line.matches("^[\\w.$]+(Exception|Error)(: .*)?$")) return line;
            }
        } catch (IOException ignored) {
            // fall through to the generic message
        }
        return "no results (see the log)";
    }

    /** Seconds one side takes: a script's rounds, or a benchmark's forks x (start-up + warm-up and measured iterations). */
    static double estimateSeconds(Side side, RunMode mode) {
        if (side instanceof ScriptRun s) {
            double overhead = s.script().equals(Workloads.GPU_OPS) ? GPU_SCRIPT_OVERHEAD_S
                    : "cuda".equals(s.args().get("device")) ? GPU_STEP_SCRIPT_OVERHEAD_S : FORK_OVERHEAD_S;
            return overhead + (mode.warmups() + mode.forks() * mode.iterations()) * s.roundSeconds(mode);
        }
        BenchRun b = (BenchRun) side;
        Class<?> cls;
        try {
            String name = b.benchmark();
            cls = Class.forName("dev.latentr3.bench." + name.substring(0, name.lastIndexOf('.')));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no benchmark class for " + b.benchmark(), e);
        }
        Warmup w = cls.getAnnotation(Warmup.class);
        Measurement m = cls.getAnnotation(Measurement.class);
        double wt = mode.warmupTime() != null ? seconds(TimeValue.fromString(mode.warmupTime()))
                : w != null ? w.timeUnit().toMillis(w.time()) / 1e3 : 10;
        double mt = mode.measureTime() != null ? seconds(TimeValue.fromString(mode.measureTime()))
                : m != null ? m.timeUnit().toMillis(m.time()) / 1e3 : 10;
        String simple = cls.getSimpleName();
        double overhead = !simple.startsWith("Cuda") ? FORK_OVERHEAD_S
                : simple.endsWith("StepBenchmark") ? CUDA_STEP_FORK_OVERHEAD_S : CUDA_FORK_OVERHEAD_S;
        return mode.forks() * (overhead + mode.warmups() * wt + mode.iterations() * mt);
    }

    private static double seconds(TimeValue t) {
        return t.convertTo(java.util.concurrent.TimeUnit.MILLISECONDS) / 1e3;
    }

    /**
     * The GPU's name for the report's file name ("nvidia-h200"), when the plan has GPU rows and a GPU runs them; else
     * null, and the file is named after the CPU alone as before.
     */
    static String gpuSlug(List<Comparison> plan) {
        boolean gpuRows = plan.stream().anyMatch(c -> c.section().name().startsWith("CUDA_"));
        if (!gpuRows || CudaBench.unavailable() != null) return null;
        return slugOf(CudaRuntime.device().runtime().deviceName());
    }

    /** Lower case, runs of anything but letters and digits as one '-': "NVIDIA H200" is nvidia-h200. */
    static String slugOf(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return s.isEmpty() ? "gpu" : s;
    }

    /** The GPU and its peaks (with their formulas, see CudaBench), or why the CUDA rows did not run. */
    static String gpuNote() {
        String why = CudaBench.unavailable();
        if (why != null) return "not run: " + why;
        CudaRuntime rt = CudaRuntime.device().runtime();
        CublasHandle.Availability cublas = CublasHandle.of(rt);
        return CudaBench.Device.of(rt).peaks() + ". Driver supports CUDA " + rt.driverVersion() + "; "
                + (cublas.available() ? cublas.handle().toString() : "no cuBLAS (" + cublas.reason() + ")")
                + ". CUDA rows: device time from CUDA events around each call, after overwriting twice the L2 size.";
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) usage(flag + " needs a value");
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("bench report: " + problem);
        System.err.println("usage: ./latentr3 bench report [--quick | --device-mode | --device-one-fork] [--only REGEX] [--out DIR] [--resume | --resume-from CSV] [--dry-run] [--cores N] [--ghz X] [--fma-units N]");
        System.exit(2);
    }
}
