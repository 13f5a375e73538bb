package dev.latentr3.bench.report;

/**
 * The unit a benchmark's rate is reported in, and the conversion from JMH's time per call to it: one call does
 * {@code work} (flops, bytes, tokens, steps or users), so rate = work / seconds per call / scale.
 */
public enum RateUnit {
    GFLOP_S("GFLOP/s", 1e9),
    GB_S("GB/s", 1e9),
    MB_S("MB/s", 1e6),
    TOKENS_S("tokens/s", 1),
    STEPS_S("steps/s", 1),
    USERS_S("users/s", 1);

    public final String label;
    private final double scale;

    RateUnit(String label, double scale) {
        this.label = label;
        this.scale = scale;
    }

    /** The rate of a call that does {@code workPerCall} flops (or bytes) in {@code secondsPerCall}. */
    public double rate(double workPerCall, double secondsPerCall) {
        if (!(secondsPerCall > 0)) throw new IllegalArgumentException(label + ": seconds per call must be > 0, got " + secondsPerCall);
        return workPerCall / secondsPerCall / scale;
    }

    /**
     * Seconds per call from a JMH score and its unit: throughput ({@code ops/s}, {@code ops/ms}, ...) or average
     * time ({@code s/op}, {@code ms/op}, {@code us/op}, {@code ns/op}).
     */
    public static double secondsPerCall(double score, String jmhUnit) {
        String[] parts = jmhUnit.split("/");
        if (parts.length != 2) throw new IllegalArgumentException("JMH score unit '" + jmhUnit + "': expected ops/<time> or <time>/op");
        if (parts[0].equals("ops")) return seconds(parts[1], jmhUnit) / score;
        if (parts[1].equals("op")) return score * seconds(parts[0], jmhUnit);
        throw new IllegalArgumentException("JMH score unit '" + jmhUnit + "': expected ops/<time> or <time>/op");
    }

    private static double seconds(String timeUnit, String whole) {
        return switch (timeUnit) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us" -> 1e-6;
            case "ns" -> 1e-9;
            default -> throw new IllegalArgumentException("JMH score unit '" + whole + "': unknown time unit '" + timeUnit + "'");
        };
    }
}
