package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What only the emulator can show: races in reverse order, deadlocks as errors, and its registry against nvcc's PTX. */
class EmulatorTest {
    private final CudaRuntime rt = CudaTestRuntimes.emulator();

    @AfterEach
    void forwardOrderAgain() {
        rt.driver().emuConfigure(0, 0);
    }

    private int[] neighbours(int synchronize, int threads) {
        try (DeviceScope d = new DeviceScope(rt)) {
            MemorySegment out = d.bytes(threads * 4L, -1);
            rt.launch(SemanticsContract.NEIGHBOUR, Dim3.of(1), Dim3.of(threads), threads * 4, synchronize, out);
            return d.download(out, threads * 4L).toArray(ValueLayout.JAVA_INT);
        }
    }

    private static int wrong(int[] got) {
        int n = got.length, bad = 0;
        for (int t = 0; t < n; t++) if (got[t] != 1000 + (t + n - 1) % n) bad++;
        return bad;
    }

    /** Without the barrier, reading a neighbour's cell is a race: reverse order catches it, the barrier fixes it. */
    @Test
    void reverseOrderExposesAMissingBarrier() {
        rt.driver().emuConfigure(0, 1);
        assertTrue(wrong(neighbours(0, 64)) > 0, "reverse order must expose the race");
        assertEquals(0, wrong(neighbours(1, 64)), "with the barrier every order is right");
        rt.driver().emuConfigure(0, 0);
        assertEquals(0, wrong(neighbours(1, 64)));
    }

    @Test
    void aBarrierNotEveryThreadReachesIsReportedAsADeadlock() {
        try (DeviceScope d = new DeviceScope(rt)) {
            MemorySegment out = d.bytes(32 * 4, -1);
            CudaException e = assertThrows(CudaException.class, () -> rt.launch(new Kernel("selftest_divergent_barrier", "p"),
                    Dim3.of(1), Dim3.of(32), 0, out));
            assertEquals("CUDA_ERROR_LAUNCH_FAILED", e.errorName());
            assertTrue(e.getMessage().contains("deadlock"), e.getMessage());
            assertTrue(e.getMessage().contains("selftest_divergent_barrier"), e.getMessage());
        }
        // The emulator keeps working after an abandoned block.
        assertEquals(0, wrong(neighbours(1, 32)));
    }

    @Test
    void invalidLaunchesFailWithTheDriversErrors() {
        try (DeviceScope d = new DeviceScope(rt)) {
            MemorySegment out = d.bytes(4, -1);
            CudaException tooWide = assertThrows(CudaException.class,
                    () -> rt.launch(SemanticsContract.WARP, Dim3.of(1), Dim3.of(2048), 0, out));
            assertEquals("CUDA_ERROR_INVALID_VALUE", tooWide.errorName());
            assertTrue(tooWide.getMessage().contains("cuLaunchKernel(selftest_warp)"), tooWide.getMessage());
            CudaException tooMuchSmem = assertThrows(CudaException.class,
                    () -> rt.launch(SemanticsContract.NEIGHBOUR, Dim3.of(1), Dim3.of(32), 64 * 1024, 1, out));
            assertTrue(tooMuchSmem.getMessage().contains("dynamic shared memory"), tooMuchSmem.getMessage());
            IllegalStateException unknown = assertThrows(IllegalStateException.class,
                    () -> rt.launch(new Kernel("no_such_kernel", ""), Dim3.of(1), Dim3.of(1), 0));
            assertTrue(unknown.getMessage().contains("no_such_kernel"), unknown.getMessage());
        }
    }

    @Test
    void copiesOutsideAnAllocationAreRejected() {
        try (DeviceScope d = new DeviceScope(rt)) {
            MemorySegment small = d.bytes(16, 0);  // the allocator's smallest block: 512 bytes
            MemorySegment past = MemorySegment.ofAddress(small.address() + 504).reinterpret(16);
            CudaException e = assertThrows(CudaException.class, () -> rt.copyToHost(past, d.arena.allocate(16)));
            assertEquals("cuMemcpyDtoH_v2", e.call());
        }
    }

    /**
     * Each kernel nvcc compiled (the .entry list of the compute_90 PTX) has the parameter widths of the emulator's
     * registry entry of the same name, and the two lists hold the same kernels: a kernel forgotten in EMU_REGISTER, or
     * a g++ build that disagrees with nvcc's, shows here.
     */
    @Test
    void theRegistryMatchesThePtxEntryPoints() throws IOException {
        String dir = System.getProperty("latentr3.cuda.ptx", "target/native");
        Path ptxDir = Path.of(dir);
        boolean any;
        try (Stream<Path> files = Files.isDirectory(ptxDir) ? Files.list(ptxDir) : Stream.empty()) {
            any = files.anyMatch(p -> p.toString().endsWith(".ptx"));
        }
        assumeTrue(any, "no PTX in " + ptxDir + " (nvcc was missing at build time)");
        Map<String, String> ptx = new TreeMap<>();
        Pattern entry = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
        Pattern param = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)");
        try (Stream<Path> files = Files.list(ptxDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".ptx")).toList()) {
                Matcher m = entry.matcher(Files.readString(f));
                while (m.find()) {
                    StringBuilder widths = new StringBuilder();
                    Matcher p = param.matcher(m.group(2));
                    while (p.find()) widths.append(ptxWidth(p.group(1)));
                    ptx.put(m.group(1), widths.toString());
                }
            }
        }
        Map<String, String> registry = new TreeMap<>();
        for (CudaDriver.EmulatedKernel k : rt.driver().emuKernels()) {
            StringBuilder widths = new StringBuilder();
            for (char c : k.signature().toCharArray()) widths.append(signatureWidth(c));
            registry.put(k.name(), widths.toString());
        }
        assertEquals(ptx, registry, "PTX entry points (name -> parameter widths) vs the emulator's registry");
    }

    /** 4, 8 or D (double) for a PTX parameter type. */
    private static char ptxWidth(String type) {
        return switch (type) {
            case "u32", "s32", "b32", "f32" -> '4';
            case "u64", "s64", "b64" -> '8';
            case "f64" -> 'D';
            default -> '?';
        };
    }

    private static char signatureWidth(char c) {
        return switch (c) {
            case 'i', 'u', 'f' -> '4';
            case 'p', 'l', 'L' -> '8';
            case 'd' -> 'D';
            default -> '?';
        };
    }
}
