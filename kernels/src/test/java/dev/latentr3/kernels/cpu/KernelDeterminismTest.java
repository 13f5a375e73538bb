package dev.latentr3.kernels.cpu;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fast kernels give the same bits whatever the JIT did to them: a child JVM run with -Xint (the interpreter, so
 * every Vector API call takes its Java fallback) and this JVM after a warm-up that gets the kernels compiled by C2
 * (Vector API intrinsics) must produce identical outputs for {@link KernelDeterminismProgram}'s calls. Bit-for-bit
 * training resume depends on it: a resumed run starts cold while the original run was warm.
 */
class KernelDeterminismTest {
    /** Runs of the whole call set before comparing: enough for C2 to compile the small-shape loops. */
    private static final int WARMUPS = 2000;

    @Test
    void interpretedAndCompiledKernelsAgreeBitForBit() throws Exception {
        Map<String, String> interpreted = child("-Xint");
        Map<String, String> compiled = KernelDeterminismProgram.run(WARMUPS);
        assertEquals(compiled.keySet(), interpreted.keySet(), "KernelDeterminismProgram: same kernels in both runs");
        List<String> differ = new ArrayList<>();
        for (String name : compiled.keySet()) {
            if (!compiled.get(name).equals(interpreted.get(name))) {
                differ.add(name + " (compiled " + compiled.get(name) + ", -Xint " + interpreted.get(name) + ")");
            }
        }
        assertTrue(differ.isEmpty(), "kernels whose output bits depend on the JIT tier: " + differ);
    }

    /** Runs the program once in a child JVM with the given extra flag and parses its "name hash" lines. */
    private static Map<String, String> child(String flag) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, flag));
        // The module and native-access flags this JVM was started with (--add-modules jdk.incubator.vector, ...).
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-modules") || arg.startsWith("--enable-native-access")
                    || arg.startsWith("-Dlatentr3.")) cmd.add(arg);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelDeterminismProgram.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("KernelDeterminismProgram child " + flag + " did not finish");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "KernelDeterminismProgram child " + flag + " failed:\n" + text);
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 2 && !line.startsWith("WARNING")) hashes.put(parts[0], parts[1]);
        }
        return hashes;
    }
}
