package dev.latentr3.engine.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LrScheduleTest {
    private static final double PEAK = 1e-3, MIN = 1e-4;
    private static final long WARMUP = 10, TOTAL = 110;
    private static final double TOL = 1e-15;

    @Test
    void warmupRisesLinearlyFromZeroToThePeak() {
        for (LrSchedule s : new LrSchedule[]{LrSchedule.warmupLinear(PEAK, WARMUP, TOTAL, MIN),
                LrSchedule.warmupCosine(PEAK, WARMUP, TOTAL, MIN)}) {
            assertEquals(0, s.at(0), TOL);
            assertEquals(PEAK * 0.3, s.at(3), TOL);
            assertEquals(PEAK * 0.9, s.at(9), TOL);
            assertEquals(PEAK, s.at(WARMUP), TOL);
        }
    }

    @Test
    void linearDecayFallsInAStraightLineToTheFloor() {
        LrSchedule s = LrSchedule.warmupLinear(PEAK, WARMUP, TOTAL, MIN);
        // lr = min + (peak - min) * (1 - (step - warmup) / (total - warmup))
        assertEquals(MIN + (PEAK - MIN) * 0.75, s.at(35), TOL);
        assertEquals(MIN + (PEAK - MIN) * 0.5, s.at(60), TOL);
        assertEquals(MIN, s.at(TOTAL), TOL);
        assertEquals(MIN, s.at(TOTAL + 500), TOL);
    }

    @Test
    void cosineDecayFollowsHalfACosineToTheFloor() {
        LrSchedule s = LrSchedule.warmupCosine(PEAK, WARMUP, TOTAL, MIN);
        // lr = min + (peak - min) * (1 + cos(pi * (step - warmup) / (total - warmup))) / 2
        assertEquals(MIN + (PEAK - MIN) * (1 + Math.cos(Math.PI / 4)) / 2, s.at(35), TOL);
        assertEquals(MIN + (PEAK - MIN) * 0.5, s.at(60), TOL);
        assertEquals(MIN + (PEAK - MIN) * (1 + Math.cos(3 * Math.PI / 4)) / 2, s.at(85), TOL);
        assertEquals(MIN, s.at(TOTAL), TOL);
        assertEquals(MIN, s.at(TOTAL + 1), TOL);
    }

    @Test
    void withoutWarmupTheFirstStepUsesThePeak() {
        assertEquals(PEAK, LrSchedule.warmupCosine(PEAK, 0, TOTAL, 0).at(0), TOL);
        assertEquals(0.5, LrSchedule.constant(0.5).at(12345), TOL);
    }

    @Test
    void rejectsInconsistentSettings() {
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupLinear(PEAK, 10, 10, MIN));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(PEAK, 5, 100, 2 * PEAK));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(0, 5, 100, 0));
    }
}
