package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Philox;
import dev.latentr3.kernels.Segments;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The oracle of the RL kernels, on cases small enough to work out by hand. */
class ReferenceRlTest {
    private final ReferenceRl rl = new ReferenceRl();

    private static float[] floats(MemorySegment s, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = Segments.getFloat(s, i);
        return out;
    }

    /** Rewards [[1, 0], [0, 0]]: baseline = mean(1, 0) = 0.5, d = (0.5, -0.5, -0.5, -0.5), ||d|| = 1. */
    @Test
    void batchBaselineIsTheMeanOfCleanCopiesAndTheScaleTheL2Norm() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rewards = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 0, 0, 0);
            MemorySegment adv = arena.allocate(16);
            rl.grpoAdvantagesBatch(2, 2, rewards, adv);
            float[] got = floats(adv, 4);
            float[] want = {0.5f, -0.5f, -0.5f, -0.5f};
            for (int i = 0; i < 4; i++) assertEquals(want[i], got[i], 1e-7);
        }
    }

    @Test
    void batchAdvantagesAreZeroWhenEveryRewardEqualsTheBaseline() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rewards = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 3, 3, 3, 3, 3, 3);
            MemorySegment adv = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 9, 9, 9, 9, 9, 9);
            rl.grpoAdvantagesBatch(2, 3, rewards, adv);
            for (float a : floats(adv, 6)) assertEquals(0f, a);
        }
    }

    /** Group (1, 2, 3): mean 2, sample std 1, so (-1, 0, 1) / (1 + eps); a single-copy group gets 0 / eps = 0. */
    @Test
    void groupAdvantagesUseTheSampleStandardDeviation() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rewards = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 5, 5, 8);
            MemorySegment adv = arena.allocate(24);
            rl.grpoAdvantagesGroup(2, 3, 1e-4f, rewards, adv);
            float[] got = floats(adv, 6);
            assertEquals(-1 / 1.0001, got[0], 1e-6);
            assertEquals(0, got[1], 1e-7);
            assertEquals(1 / 1.0001, got[2], 1e-6);
            double std = Math.sqrt(((1 * 1) + (1 * 1) + (2 * 2)) / 2.0);  // mean 6: deviations -1, -1, 2
            assertEquals(2 / (std + 1e-4), got[5], 1e-6);
            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 4);
            rl.grpoAdvantagesGroup(1, 1, 1e-4f, one, adv);
            assertEquals(0f, Segments.getFloat(adv, 0));
        }
    }

    @Test
    void injectionWritesLatentsPlusPhiloxNoiseIntoTheNamedRows() {
        int n = 2, dim = 3, tokens = 4;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment latents = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 4, 5, 6);
            MemorySegment rows = arena.allocateFrom(ValueLayout.JAVA_INT, 3, 1);
            MemorySegment embeds = arena.allocate((long) tokens * dim * 4);
            rl.injectLatents(n, dim, latents, rows, tokens, 0f, 9, 0, embeds);
            assertEquals(1f, Segments.getFloat(embeds, 9));
            assertEquals(6f, Segments.getFloat(embeds, 5));
            assertEquals(0f, Segments.getFloat(embeds, 0), "rows not named stay as they were");
            rl.injectLatents(n, dim, latents, rows, tokens, 0.5f, 9, 2, embeds);
            assertEquals((float) (4 + 0.5 * Philox.gaussian(9, 2, 3)), Segments.getFloat(embeds, 3));
            assertEquals((float) (3 + 0.5 * Philox.gaussian(9, 2, 2)), Segments.getFloat(embeds, 11));
        }
    }

    @Test
    void injectionBackwardMovesTheRowsGradientToTheLatents() {
        int n = 2, dim = 2, tokens = 3;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dEmbeds = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 4, 5, 6);
            MemorySegment rows = arena.allocateFrom(ValueLayout.JAVA_INT, 2, 0);
            MemorySegment dLatents = arena.allocate(16);
            rl.injectLatentsBackward(n, dim, rows, tokens, dEmbeds, dLatents);
            float[] want = {5, 6, 1, 2};
            float[] got = floats(dLatents, 4);
            for (int i = 0; i < 4; i++) assertEquals(want[i], got[i]);
            float[] rest = floats(dEmbeds, 6);
            assertEquals(0f, rest[0]);
            assertEquals(3f, rest[2]);
            assertEquals(0f, rest[5]);
        }
    }

    @Test
    void repeatedOrOutOfRangeRowsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment latents = arena.allocate(16), embeds = arena.allocate(32);
            IllegalArgumentException repeat = assertThrows(IllegalArgumentException.class, () -> rl.injectLatents(2, 2,
                    latents, arena.allocateFrom(ValueLayout.JAVA_INT, 1, 1), 4, 0f, 0, 0, embeds));
            assertTrue(repeat.getMessage().contains("rows[1] = 1 repeats"), repeat.getMessage());
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> rl.injectLatents(2, 2,
                    latents, arena.allocateFrom(ValueLayout.JAVA_INT, 0, 4), 4, 0f, 0, 0, embeds));
            assertTrue(range.getMessage().contains("rows[1] = 4"), range.getMessage());
        }
    }
}
