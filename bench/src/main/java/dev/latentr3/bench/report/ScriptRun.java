package dev.latentr3.bench.report;

import dev.latentr3.kernels.Parallel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A reference side run as a Python script (bench/torch/*.py) under the interpreter {@link TorchPython} finds. The
 * script gets {@code args}, then the thread count of our kernels and the mode's repetitions: {@code --warmup} =
 * JMH warm-up iterations, {@code --reps} = forks x measured iterations (so both sides have as many samples), each
 * round at least {@code --rep-seconds} long (the mode's iteration time, else {@code repSeconds}). It prints one JSON
 * line that {@link ScriptResult} reads; {@code expect} names fields it must report with these values (e.g. the
 * parameter count, so that a script building another model than ours fails rather than being compared).
 */
public record ScriptRun(String script, Map<String, String> args, double repSeconds, Map<String, ?> expect)
        implements Side {

    /**
     * The folder the scripts' relative paths start from: {@code -Dlatentr3.bench.root}, else the working directory
     * (the repository root, where {@code ./latentr3 bench report} runs; the GPU bundle names its own folder).
     */
    public static final String ROOT_PROPERTY = "latentr3.bench.root";

    /** The script's file, under {@link #ROOT_PROPERTY}. */
    public Path scriptPath() {
        return Path.of(System.getProperty(ROOT_PROPERTY, "")).resolve(script);
    }

    /** The arguments after the script for this mode: ours, then --threads, --warmup, --reps, --rep-seconds. */
    public List<String> arguments(RunMode mode, int threads) {
        List<String> a = new ArrayList<>();
        args.forEach((k, v) -> {
            a.add("--" + k);
            a.add(v);
        });
        a.addAll(List.of("--threads", Integer.toString(threads), "--warmup", Integer.toString(mode.warmups()),
                "--reps", Integer.toString(mode.forks() * mode.iterations()),
                "--rep-seconds", String.format(Locale.ROOT, "%.3f", roundSeconds(mode))));
        return a;
    }

    /** The least length of one timed round: the mode's iteration time, else this script's own. */
    public double roundSeconds(RunMode mode) {
        return mode.measureTime() == null ? repSeconds
                : org.openjdk.jmh.runner.options.TimeValue.fromString(mode.measureTime()).convertTo(TimeUnit.MILLISECONDS) / 1e3;
    }

    @Override
    public String command(RunMode mode) {
        return command(mode, "python3");
    }

    /** The command with the interpreter that ran it (e.g. /usr/bin/python3 where python3 on the PATH has no torch). */
    public String command(RunMode mode, String python) {
        return python + " " + script + " " + String.join(" ", arguments(mode, Parallel.threads()));
    }

    @Override
    public String describe() {
        return script + (args.isEmpty() ? "" : " " + args.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    }
}
