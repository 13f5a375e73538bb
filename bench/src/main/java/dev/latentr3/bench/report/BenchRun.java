package dev.latentr3.bench.report;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * One JMH benchmark method at fixed parameters, e.g. {@code GemmBenchmark.fastGemm} with {@code shape=256x256x256}.
 * Parameters not named keep the benchmark's own values, so name every one that has several.
 */
public record BenchRun(String benchmark, Map<String, String> params) implements Side {

    /** The include pattern for JMH (it matches with find(); anchored so that {@code forward} is not {@code forwardBackward}). */
    public String includeRegex() {
        return "^dev.latentr3.bench." + benchmark + "$";
    }

    /** The exact launcher command that runs this benchmark alone with the given JMH mode flags. */
    public String command(String modeFlags) {
        String ps = params.entrySet().stream().map(e -> " -p " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining());
        return "./latentr3 bench '" + includeRegex() + "'" + ps + " " + modeFlags;
    }

    @Override
    public String command(RunMode mode) {
        return command(mode.jmhFlags());
    }

    @Override
    public String describe() {
        return benchmark + (params.isEmpty() ? "" : " " + params.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    }
}
