package dev.latentr3.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns GemmBenchmark's JMH CSV results (throughput, one op = one GEMM) into GFLOP/s per shape and method, with the
 * FastGemm / OpenBLAS ratio: {@code GemmFlops gemm.csv} after {@code java -jar benchmarks.jar GemmBenchmark -rf csv
 * -rff gemm.csv}.
 */
public final class GemmFlops {
    private GemmFlops() {}

    /** GFLOP/s of a shape run at the given rate (GEMMs per second). */
    public static double gflops(GemmShape shape, double opsPerSecond) {
        return shape.flops() * opsPerSecond / 1e9;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: GemmFlops <jmh-result.csv>   (from: GemmBenchmark -rf csv -rff <file>)");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        List<String> header = split(lines.getFirst());
        int name = header.indexOf("Benchmark"), score = header.indexOf("Score"), unit = header.indexOf("Unit");
        int param = header.indexOf("Param: shape");
        if (name < 0 || score < 0 || unit < 0 || param < 0) {
            throw new IllegalArgumentException(args[0] + ": not a GemmBenchmark CSV (columns: " + header + ")");
        }
        Map<String, Map<String, Double>> byShape = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            List<String> row = split(line);
            if (!row.get(name).contains("GemmBenchmark")) continue;
            if (!row.get(unit).equals("ops/s")) {
                throw new IllegalArgumentException("expected throughput in ops/s, got " + row.get(unit));
            }
            String method = row.get(name).substring(row.get(name).lastIndexOf('.') + 1);
            double rate = Double.parseDouble(row.get(score));
            byShape.computeIfAbsent(row.get(param), x -> new LinkedHashMap<>())
                    .put(method, gflops(GemmShape.parse(row.get(param)), rate));
        }
        System.out.printf("%-22s %12s %12s %8s%n", "shape (MxNxK/AB)", "FastGemm", "OpenBLAS", "ratio");
        byShape.forEach((shape, m) -> {
            Double ours = m.get("fastGemm"), ref = m.get("openBlas");
            System.out.printf("%-22s %12s %12s %8s%n", shape, fmt(ours), fmt(ref),
                    ours != null && ref != null ? String.format("%.2f", ours / ref) : "-");
        });
        System.out.println("(GFLOP/s = ops/s x 2MNK / 1e9)");
    }

    private static String fmt(Double gflops) {
        return gflops == null ? "-" : String.format("%.1f", gflops);
    }

    /** One CSV line as JMH writes it: comma-separated, fields optionally double-quoted. */
    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
