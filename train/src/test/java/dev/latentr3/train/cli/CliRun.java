package dev.latentr3.train.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** One run of the CLI in this JVM, with its exit status and what it printed. */
record CliRun(int status, String out, String err) {

    static CliRun withStdin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static CliRun of(String... args) {
        return withStdin("", args);
    }

    /** A tiny model folder at dir, from the given seed; fails the test if init-model does. */
    static Path tinyModel(Path dir, long seed) {
        CliRun r = of("init-model", "--preset", "tiny", "--out", dir.toString(), "--seed", Long.toString(seed));
        if (r.status != 0) throw new AssertionError("init-model failed with " + r.status + ": " + r.err);
        return dir;
    }

    /** Asserts a usage error: exit status 2 and one line on standard error that contains expected. */
    void assertUsageError(String expected) {
        if (status != Main.USAGE_ERROR) throw new AssertionError("expected exit status 2, got " + status + "; err: " + err);
        if (err.lines().count() != 1) throw new AssertionError("expected one line on stderr, got: " + err);
        if (!err.contains(expected)) throw new AssertionError("stderr '" + err.strip() + "' does not contain '" + expected + "'");
    }
}
