package dev.latentr3.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * One PyTorch golden read from {@code resources/goldens/<name>.golden}: the op, its parameters, its inputs, the
 * expected output, the output gradient (seed) and the expected input gradients. The format is described at the top
 * of {@code src/test/goldens/make_goldens.py}, which writes these files.
 */
final class GoldenCase {
    private static final String DIR = "/goldens/";

    /** A stored tensor: its shape and its values (ints for i32, floats for f32). */
    record Stored(String name, boolean isInt, int[] shape, float[] floats, int[] ints) {
        /** A fresh engine tensor holding these values. */
        Tensor toConstant() {
            return (isInt ? Tensor.ofInts(ints, shape) : Tensor.of(floats, shape)).named(name);
        }

        /** As an op's argument: floating ones require grad, so that backward reaches them. */
        Tensor toInput() {
            return isInt ? toConstant() : toConstant().requiresGrad(true);
        }
    }

    private final String name;
    private String op;
    private final Map<String, String[]> params = new LinkedHashMap<>();
    private final SequencedMap<String, Stored> inputs = new LinkedHashMap<>();
    private final SequencedMap<String, Stored> grads = new LinkedHashMap<>();
    private Stored output;
    private Stored seed;

    private GoldenCase(String name) {
        this.name = name;
    }

    /** The case names listed in {@code goldens/index.txt}, in file order. */
    static List<String> index() {
        List<String> names = new ArrayList<>();
        for (String line : readLines("index.txt")) {
            if (!line.isBlank()) names.add(line.strip());
        }
        if (names.isEmpty()) throw new IllegalStateException("goldens/index.txt lists no cases");
        return names;
    }

    static GoldenCase load(String name) {
        GoldenCase c = new GoldenCase(name);
        List<String> lines = readLines(name + ".golden");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.strip().split(" ");
            switch (f[0]) {
                case "op" -> c.op = f[1];
                case "param" -> c.params.put(f[1], Arrays.copyOfRange(f, 2, f.length));
                case "tensor" -> {
                    if (f.length != 5 || i + 1 >= lines.size()) throw c.malformed(i, line);
                    Stored t = parseTensor(f[2], f[3], f[4], lines.get(++i));
                    switch (f[1]) {
                        case "input" -> c.inputs.put(t.name(), t);
                        case "output" -> c.output = t;
                        case "seed" -> c.seed = t;
                        case "grad" -> c.grads.put(t.name(), t);
                        default -> throw c.malformed(i - 1, line);
                    }
                }
                default -> throw c.malformed(i, line);
            }
        }
        if (c.op == null || c.output == null || c.seed == null) {
            throw new IllegalStateException("golden " + name + ": missing op, output or seed");
        }
        return c;
    }

    String name() {
        return name;
    }

    String op() {
        return op;
    }

    SequencedMap<String, Stored> inputs() {
        return inputs;
    }

    SequencedMap<String, Stored> grads() {
        return grads;
    }

    Stored output() {
        return output;
    }

    Stored seed() {
        return seed;
    }

    boolean flag(String key) {
        return Boolean.parseBoolean(param(key)[0]);
    }

    int intParam(String key) {
        return Integer.parseInt(param(key)[0]);
    }

    float floatParam(String key) {
        return Float.parseFloat(param(key)[0]);
    }

    int[] intsParam(String key) {
        return Arrays.stream(param(key)).mapToInt(Integer::parseInt).toArray();
    }

    private String[] param(String key) {
        String[] v = params.get(key);
        if (v == null || v.length == 0) throw new IllegalStateException("golden " + name + ": no param " + key);
        return v;
    }

    private static Stored parseTensor(String name, String dtype, String dims, String valuesLine) {
        String inner = dims.substring(1, dims.length() - 1);
        int[] shape = inner.isEmpty() ? new int[0] : Arrays.stream(inner.split(",")).mapToInt(Integer::parseInt).toArray();
        String[] tokens = valuesLine.isBlank() ? new String[0] : valuesLine.strip().split(" ");
        if (tokens.length != Shapes.numel(shape)) {
            throw new IllegalStateException("golden tensor " + name + " " + dims + " has " + tokens.length + " values");
        }
        return switch (dtype) {
            case "i32" -> new Stored(name, true, shape, null, Arrays.stream(tokens).mapToInt(Integer::parseInt).toArray());
            case "f32" -> {
                float[] v = new float[tokens.length];
                for (int i = 0; i < v.length; i++) v[i] = Float.parseFloat(tokens[i]);
                yield new Stored(name, false, shape, v, null);
            }
            default -> throw new IllegalStateException("golden tensor " + name + ": unknown dtype " + dtype);
        };
    }

    private IllegalStateException malformed(int lineIndex, String line) {
        return new IllegalStateException("golden " + name + " line " + (lineIndex + 1) + " is malformed: "
                + (line.length() > 80 ? line.substring(0, 80) + "..." : line));
    }

    private static List<String> readLines(String file) {
        try (InputStream in = GoldenCase.class.getResourceAsStream(DIR + file)) {
            if (in == null) throw new IllegalStateException("missing test resource " + DIR + file);
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
