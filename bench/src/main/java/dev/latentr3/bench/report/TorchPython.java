package dev.latentr3.bench.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Python interpreter the bench/torch scripts run under: the first of {@code $LATENTR3_PYTHON}, {@code python3}
 * on the PATH and {@code /usr/bin/python3} (Debian's python3-torch installs there, and a pyenv or venv python3
 * earlier on the PATH may lack torch) for which {@code -c 'import torch'} succeeds. Nothing else needs torch: without
 * it the reference cells say so and the rest of the report runs.
 */
public final class TorchPython {
    private TorchPython() {}

    /** Why a PyTorch side did not run when no interpreter has torch. */
    public static final String MISSING = "not run: python3-torch missing";

    private static String found;
    private static boolean searched;

    /** The candidates, in the order tried. */
    static List<String> candidates(String env) {
        List<String> c = new ArrayList<>();
        if (env != null && !env.isBlank()) c.add(env);
        c.add("python3");
        c.add("/usr/bin/python3");
        return c;
    }

    /** The interpreter that imports torch, or null; looked for once per run. */
    public static synchronized String find() {
        if (!searched) {
            searched = true;
            for (String python : candidates(System.getenv("LATENTR3_PYTHON"))) {
                if (importsTorch(python)) {
                    found = python;
                    break;
                }
            }
        }
        return found;
    }

    /** The reason to print when {@link #find} is null. */
    public static String missingReason() {
        return MISSING + " (no interpreter of " + String.join(", ", candidates(System.getenv("LATENTR3_PYTHON")))
                + " imports torch; install python3-torch or set LATENTR3_PYTHON)";
    }

    private static boolean importsTorch(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
