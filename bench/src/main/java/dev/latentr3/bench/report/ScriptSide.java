package dev.latentr3.bench.report;

import dev.latentr3.kernels.Parallel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Runs a {@link ScriptRun} reference and turns its rounds into the row's rates. */
final class ScriptSide {
    private ScriptSide() {}

    /** A script that takes longer than this is stopped and reported as failed. */
    private static final long TIMEOUT_MINUTES = 30;

    static Outcome measure(Comparison c, ScriptRun s, RunMode mode, Path logs, int index, int total) {
        String command = s.command(mode);
        System.out.printf(Locale.ROOT, "[%d/%d] %s ... ", index, total, s.describe());
        System.out.flush();
        Path script = s.scriptPath();
        if (!Files.isRegularFile(script)) {
            System.out.println("not run");
            return Outcome.notRun("not run: no " + script.toAbsolutePath() + " (run the report from the repository root,"
                    + " or name the folder that holds bench/torch with -D" + ScriptRun.ROOT_PROPERTY + ")", command);
        }
        String python = TorchPython.find();
        if (python == null) {
            System.out.println("not run");
            return Outcome.notRun(TorchPython.missingReason(), command);
        }
        command = s.command(mode, python);
        Path log = logs.resolve(String.format(Locale.ROOT, "%03d-%s.log", index, s.describe().replaceAll("[^A-Za-z0-9.=-]+", "_")));
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(s.arguments(mode, Parallel.threads()));
        String stdout;
        int exit;
        long t0 = System.nanoTime();
        try {
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                System.out.println("failed");
                return Outcome.notRun("failed: no result after " + TIMEOUT_MINUTES + " min (log: " + log + ")", command);
            }
            exit = p.exitValue();
            Files.writeString(log, "\nstdout:\n" + stdout, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("failed");
            return Outcome.notRun("failed: " + e.getMessage(), command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.notRun("failed: interrupted", command);
        }
        if (exit != 0) {
            String why = scriptNotRun(log);
            System.out.println(why != null ? "not run" : "failed");
            return Outcome.notRun(why != null ? why : "failed: " + python + " exited with " + exit + " (log: " + log + ")", command);
        }
        Outcome o = outcome(c, s, stdout, command, s.script());
        System.out.println((o.ran() ? ReportWriter.fmt(o.spread().median()) + " " + c.section().unit.label : "failed")
                + String.format(Locale.ROOT, " (%.1f s)", (System.nanoTime() - t0) / 1e9));
        return o;
    }

    /** The row's rates from a script's output, or why they cannot be used (bad output, another model than ours). */
    static Outcome outcome(Comparison c, ScriptRun s, String stdout, String command, String source) {
        ScriptResult r;
        try {
            r = ScriptResult.parse(stdout, source);
        } catch (IllegalArgumentException e) {
            return Outcome.notRun("failed: " + e.getMessage(), command);
        }
        String mismatch = r.mismatch(s.expect());
        if (mismatch != null) return Outcome.notRun("failed: the script's setup differs from ours: " + mismatch, command);
        double[] rates = new double[r.seconds().size()];
        for (int i = 0; i < rates.length; i++) rates[i] = c.section().unit.rate(c.workPerCall(), r.seconds().get(i));
        return Outcome.measured(Spread.of(rates), command, note(r) + PeakMemoryNote.ofScript(r));
    }

    /**
     * What ran: for a GPU script (one that reports its "device"), torch, the device and the backend (e.g. the SDPA
     * kernel torch picked); for a CPU script, torch, its threads and its attention form.
     */
    static String note(ScriptResult r) {
        if (r.fields().containsKey("device")) {
            return "torch " + r.field("torch") + " (CUDA " + r.field("cuda") + ") on " + r.field("device") + ", "
                    + r.field("backend");
        }
        return "torch " + r.field("torch") + ", " + r.field("torch_threads") + " threads, " + r.field("attention")
                + " attention";
    }

    /**
     * The reason a script gave for not running (its last stderr line that starts with "not run: ", as gpu_ops.py
     * writes when torch has no CUDA), or null when it simply failed.
     */
    static String scriptNotRun(Path log) {
        String why = null;
        try {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("not run: ")) why = line.strip();
            }
        } catch (IOException ignored) {
            // no log: a plain failure
        }
        return why;
    }
}
