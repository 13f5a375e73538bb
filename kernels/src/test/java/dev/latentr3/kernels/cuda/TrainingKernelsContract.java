package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.OptimizerKernels;
import dev.latentr3.kernels.Philox;
import dev.latentr3.kernels.RlKernels;
import dev.latentr3.kernels.Segments;
import dev.latentr3.kernels.cpu.ReferenceOptimizer;
import dev.latentr3.kernels.cpu.ReferenceRl;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.copy;
import static dev.latentr3.kernels.KernelCheck.nanFloats;
import static dev.latentr3.kernels.KernelCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training-step kernels on the device, against the CPU oracles: AdamW ({@link ReferenceOptimizer}), GRPO advantages
 * and latent injection ({@link ReferenceRl}), and the Philox noise stream ({@link Philox}).
 */
abstract class TrainingKernelsContract {
    abstract CudaRuntime runtime();

    final OptimizerKernels refOptimizer = new ReferenceOptimizer();
    final RlKernels refRl = new ReferenceRl();

    @Test
    void adamwStepsMatchTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (long n : new long[] {1, 33, 4099}) {
                MemorySegment p = randomFloats(d.arena, n, n, -1, 1), m = randomFloats(d.arena, n, n + 1, -0.1f, 0.1f);
                MemorySegment v = randomFloats(d.arena, n, n + 2, 0, 0.01f);
                MemorySegment dp = d.upload(p), dm = d.upload(m), dv = d.upload(v);
                CudaOptimizer cuda = new CudaOptimizer(runtime());
                for (int step = 1; step <= 3; step++) {
                    MemorySegment g = randomFloats(d.arena, n, 10L * n + step, -0.5f, 0.5f);
                    float c1 = (float) (1 - Math.pow(0.9, step)), c2 = (float) (1 - Math.pow(0.999, step));
                    refOptimizer.adamw(n, p, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, c1, c2);
                    cuda.adamw(n, dp, d.upload(g), dm, dv, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, c1, c2);
                }
                assertClose("adamw param n=" + n, p, d.downloadFloats(dp, n), n, 1e-6, 1e-5);
                assertClose("adamw m n=" + n, m, d.downloadFloats(dm, n), n, 1e-7, 1e-5);
                assertClose("adamw v n=" + n, v, d.downloadFloats(dv, n), n, 1e-9, 1e-5);
            }
        }
    }

    @Test
    void grpoAdvantagesMatchTheReference() {
        CudaRl cuda = new CudaRl(runtime());
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] s : new int[][] {{1, 1}, {7, 4}, {300, 5}, {3, 33}}) {
                int groups = s[0], copies = s[1];
                long n = (long) groups * copies;
                MemorySegment rewards = randomFloats(d.arena, n, n, 0, 1);
                MemorySegment dRewards = d.upload(rewards);
                MemorySegment want = nanFloats(d.arena, n), got = d.nanFloats(n);
                refRl.grpoAdvantagesBatch(groups, copies, rewards, want);
                cuda.grpoAdvantagesBatch(groups, copies, dRewards, got);
                assertClose("batch advantages " + groups + "x" + copies, want, d.downloadFloats(got, n), n, 1e-6, 1e-5);
                refRl.grpoAdvantagesGroup(groups, copies, 1e-4f, rewards, want);
                cuda.grpoAdvantagesGroup(groups, copies, 1e-4f, dRewards, got);
                assertClose("group advantages " + groups + "x" + copies, want, d.downloadFloats(got, n), n, 1e-6, 1e-5);
            }
        }
    }

    @Test
    void devicePhiloxNoiseIsTheJavaStream() {
        long n = 4099, seed = 0x1234_5678_9abc_def0L, offset = 0xffff_0000_0001L;
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment want = d.arena.allocate(n * 4), got = d.nanFloats(n);
            for (long i = 0; i < n; i++) Segments.setFloat(want, i, (float) Philox.gaussian(seed, offset, i));
            new CudaRl(runtime()).gaussian(n, seed, offset, got);
            assertClose("philox gaussian", want, d.downloadFloats(got, n), n, 1e-6, 1e-6);
        }
    }

    /** n distinct rows out of tokens, in random order. */
    static MemorySegment distinctRows(java.lang.foreign.Arena arena, int n, int tokens, long seed) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < tokens; i++) all.add(i);
        Collections.shuffle(all, new Random(seed));
        MemorySegment rows = arena.allocate((long) n * 4);
        for (int i = 0; i < n; i++) rows.setAtIndex(ValueLayout.JAVA_INT, i, all.get(i));
        return rows;
    }

    @Test
    void latentInjectionAndItsBackwardMatchTheReference() {
        CudaRl cuda = new CudaRl(runtime());
        int n = 37, dim = 33, tokens = 100;
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment latents = randomFloats(d.arena, (long) n * dim, 1, -1, 1);
            MemorySegment embeds = randomFloats(d.arena, (long) tokens * dim, 2, -1, 1);
            MemorySegment rows = distinctRows(d.arena, n, tokens, 3);
            MemorySegment dLatents = d.upload(latents), dRows = d.upload(rows);
            for (float sigma : new float[] {0f, 0.3f}) {
                MemorySegment want = copy(d.arena, embeds), got = d.upload(embeds);
                refRl.injectLatents(n, dim, latents, rows, tokens, sigma, 77, 5, want);
                cuda.injectLatents(n, dim, dLatents, dRows, tokens, sigma, 77, 5, got);
                long total = (long) tokens * dim;
                assertClose("injectLatents sigma=" + sigma, want, d.downloadFloats(got, total), total, sigma == 0 ? 0 : 1e-6, 0);
            }
            MemorySegment dEmbeds = randomFloats(d.arena, (long) tokens * dim, 4, -1, 1);
            MemorySegment wantDEmbeds = copy(d.arena, dEmbeds), wantDLatents = nanFloats(d.arena, (long) n * dim);
            refRl.injectLatentsBackward(n, dim, rows, tokens, wantDEmbeds, wantDLatents);
            MemorySegment gotDEmbeds = d.upload(dEmbeds), gotDLatents = d.nanFloats((long) n * dim);
            cuda.injectLatentsBackward(n, dim, dRows, tokens, gotDEmbeds, gotDLatents);
            assertClose("dLatents", wantDLatents, d.downloadFloats(gotDLatents, (long) n * dim), (long) n * dim, 0, 0);
            assertClose("dEmbeds (injected rows zeroed)", wantDEmbeds, d.downloadFloats(gotDEmbeds, (long) tokens * dim),
                    (long) tokens * dim, 0, 0);
        }
    }

    @Test
    void repeatedOrOutOfRangeLatentRowsFailNamingThePosition() {
        CudaRl cuda = new CudaRl(runtime());
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment latents = d.nanFloats(6), embeds = d.nanFloats(12);
            MemorySegment repeated = d.upload(d.arena.allocateFrom(ValueLayout.JAVA_INT, 2, 0, 2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cuda.injectLatents(3, 2, latents, repeated, 6, 0f, 0, 0, embeds));
            assertTrue(e.getMessage().contains("named twice"), e.getMessage());
            MemorySegment outside = d.upload(d.arena.allocateFrom(ValueLayout.JAVA_INT, 1, 6, 0));
            e = assertThrows(IllegalArgumentException.class, () -> cuda.injectLatents(3, 2, latents, outside, 6, 0f, 0, 0, embeds));
            assertTrue(e.getMessage().contains("rows[1] = 6 is out of range"), e.getMessage());
        }
    }
}
