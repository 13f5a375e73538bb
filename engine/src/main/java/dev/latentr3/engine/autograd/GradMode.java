package dev.latentr3.engine.autograd;

/** Whether ops record the tape on this thread. Off inside {@code try (var g = GradMode.noGrad()) {...}}. */
public final class GradMode {
    private GradMode() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[]{true});

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Turns recording off until the returned handle is closed, then restores what was there. */
    public static Restore noGrad() {
        boolean[] flag = ENABLED.get();
        boolean before = flag[0];
        flag[0] = false;
        return () -> flag[0] = before;
    }

    /** A handle that restores the previous mode; closing never throws. */
    @FunctionalInterface
    public interface Restore extends AutoCloseable {
        @Override
        void close();
    }
}
