package dev.latentr3.bench.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineTest {

    @Test
    void slugKeepsVendorAndModelAndAddsTheCoreCount() {
        assertEquals("amd-epyc-2c", Machine.slug("AMD EPYC", 2));
        assertEquals("amd-epyc-7b13-2c", Machine.slug("AMD EPYC 7B13 64-Core Processor", 2));
        assertEquals("intel-xeon-platinum-8375c-8c", Machine.slug("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 8));
        assertEquals("amd-ryzen-9-7950x-32c", Machine.slug("AMD Ryzen 9 7950X 16-Core Processor", 32));
        assertEquals("unknown-cpu-4c", Machine.slug("(R)", 4));
    }

    @Test
    void slugIsFileNameSafe() {
        for (String model : List.of("Apple M2 Max", "ARM Neoverse-N1 / v8.2", "Weird  CPU   name!!", "aarch64")) {
            String s = Machine.slug(model, 16);
            assertTrue(s.matches("[a-z0-9]+(-[a-z0-9]+)*"), s);
        }
    }

    @Test
    void peakIsCoresTimesFmaUnitsTimesLanesTimesTwoTimesClock() {
        // 2 cores, 2 FMA pipes, 16 lanes (AVX-512), 2 flops per FMA, 2.6 GHz.
        assertEquals(332.8, Machine.peakGflops(2, 2, 16, 2.6), 1e-9);
        Machine m = new Machine("AMD EPYC", 2, 2.6, "test", false, 8, 2, "assumed", 2, "jdk", "os", "abc1234");
        assertEquals(166.4, m.peakGflops(), 1e-9);
        assertTrue(m.peakFormula().contains("= 166.4 GFLOP/s"), m.peakFormula());
    }

    @Test
    void fmaUnitsAreTwoExceptOnZen4WithAvx512() {
        assertEquals(1, Machine.assumedFmaUnits("AuthenticAMD", "25", 16));
        assertEquals(2, Machine.assumedFmaUnits("AuthenticAMD", "25", 8), "Zen 3 (no AVX-512): two 256-bit pipes");
        assertEquals(2, Machine.assumedFmaUnits("GenuineIntel", "6", 16));
        assertEquals(2, Machine.assumedFmaUnits(null, null, 4));
    }

    @Test
    void physicalCoresDivideOutHardwareThreads() {
        List<String> smt = List.of("siblings\t: 16", "cpu cores\t: 8");
        assertEquals(8, Machine.physicalCores(16, smt));
        assertEquals(2, Machine.physicalCores(4, smt), "a JVM limited to 4 CPUs of an SMT machine");
        assertEquals(2, Machine.physicalCores(2, List.of("siblings\t: 2", "cpu cores\t: 2")));
        assertEquals(6, Machine.physicalCores(6, List.of()), "without the fields, every CPU counts as a core");
    }

    @Test
    void cpuinfoFieldsAndTheHighestClock() {
        List<String> cpuinfo = List.of("processor\t: 0", "model name\t: AMD EPYC 7B13", "cpu MHz\t\t: 2450.000", "",
                "processor\t: 1", "model name\t: AMD EPYC 7B13", "cpu MHz\t\t: 3100.500");
        assertEquals("AMD EPYC 7B13", Machine.field(cpuinfo, "model name"));
        assertNull(Machine.field(cpuinfo, "flags"));
        assertEquals(3100.5, Machine.maxMhz(cpuinfo), 1e-9);
        assertEquals(0, Machine.maxMhz(List.of("processor : 0")));
    }

    @Test
    void theCommitGivenByTheGpuBundleWinsOverTheFolderItRunsIn() {
        String before = System.getProperty("latentr3.commit");
        try {
            System.setProperty("latentr3.commit", "d440347");
            assertEquals("d440347", Machine.gitCommit());
            System.setProperty("latentr3.commit", " ");
            assertTrue(Machine.gitCommit().matches("[0-9a-f]{7,}(\\+uncommitted)?|unknown"), Machine.gitCommit());
        } finally {
            if (before == null) System.clearProperty("latentr3.commit");
            else System.setProperty("latentr3.commit", before);
        }
    }
}
