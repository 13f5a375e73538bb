package dev.latentr3.engine.optim;

/**
 * A learning rate as a pure function of the optimizer step (counted from 0 before the first update, as in Hugging
 * Face's {@code get_*_schedule_with_warmup}): linear warm-up from 0 to the peak over {@code warmup} steps, then a
 * decay to {@code min} at step {@code total}, held there afterwards.
 */
@FunctionalInterface
public interface LrSchedule {

    double at(long step);

    static LrSchedule constant(double lr) {
        return step -> lr;
    }

    /** Warm-up, then a straight line from peak down to min at step total. */
    static LrSchedule warmupLinear(double peak, long warmup, long total, double min) {
        check(peak, warmup, total, min);
        return step -> step < warmup ? warmupLr(peak, warmup, step)
                                     : min + (peak - min) * (1 - decayProgress(warmup, total, step));
    }

    /** Warm-up, then half a cosine from peak down to min at step total. */
    static LrSchedule warmupCosine(double peak, long warmup, long total, double min) {
        check(peak, warmup, total, min);
        return step -> step < warmup ? warmupLr(peak, warmup, step)
                                     : min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * decayProgress(warmup, total, step)));
    }

    private static double warmupLr(double peak, long warmup, long step) {
        return peak * Math.max(0, step) / warmup;
    }

    /** Fraction of the decay phase done at step, in [0, 1]. */
    private static double decayProgress(long warmup, long total, long step) {
        return Math.clamp((double) (step - warmup) / (total - warmup), 0.0, 1.0);
    }

    private static void check(double peak, long warmup, long total, double min) {
        if (!(peak > 0) || !(min >= 0) || min > peak) {
            throw new IllegalArgumentException("LrSchedule: need 0 <= min <= peak and peak > 0, got peak " + peak + ", min " + min);
        }
        if (warmup < 0 || total <= warmup) {
            throw new IllegalArgumentException("LrSchedule: need 0 <= warmup < total, got warmup " + warmup + ", total " + total);
        }
    }
}
