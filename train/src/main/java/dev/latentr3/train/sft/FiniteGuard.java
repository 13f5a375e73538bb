package dev.latentr3.train.sft;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.optim.GradClip;

import java.util.Iterator;
import java.util.Map;

/**
 * Stops a run at the first NaN or infinity, before it reaches the weights. A gradient is checked through its sum of
 * squares (one pass of the engine's reduction): the sum is finite exactly when every element is, barring an overflow
 * of squares above ~1.8e308 in double, which a float gradient cannot reach. The sums are the ones global-norm clipping
 * needs, measured for all gradients at once ({@link GradClip#measure}: one wait for a GPU per step), so checking
 * before clipping costs nothing more.
 */
public final class FiniteGuard {
    private FiniteGuard() {}

    public static void checkLoss(long step, int microBatch, double loss) {
        if (!Double.isFinite(loss)) {
            throw new NonFiniteTrainingException(step, "loss", "micro-batch " + microBatch + " gave " + loss);
        }
    }

    /** Checks every parameter's gradient; the first bad one, in the map's order, is named. */
    public static void checkGradients(long step, Map<String, Tensor> namedParameters) {
        check(step, namedParameters, GradClip.measure(namedParameters.values()));
    }

    /**
     * {@link #checkGradients} and then {@link GradClip#clipGlobalNorm} from one measurement: throws naming the first
     * parameter with a non-finite gradient (nothing scaled), else clips to maxNorm and returns the norm before.
     */
    public static double checkAndClip(long step, Map<String, Tensor> namedParameters, double maxNorm) {
        GradClip.Norms norms = GradClip.measure(namedParameters.values());
        check(step, namedParameters, norms);
        return GradClip.clip(norms, maxNorm);
    }

    private static void check(long step, Map<String, Tensor> namedParameters, GradClip.Norms norms) {
        int bad = norms.firstNonFinite();
        if (bad < 0) return;
        Iterator<Map.Entry<String, Tensor>> it = namedParameters.entrySet().iterator();
        for (int i = 0; i < bad; i++) it.next();
        Map.Entry<String, Tensor> e = it.next();
        throw new NonFiniteTrainingException(step, e.getKey(), "its gradient " + e.getValue().grad().describe()
                + " has a sum of squares of " + norms.sumsOfSquares()[bad]);
    }
}
