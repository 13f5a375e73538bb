package dev.latentr3.train.sft;

import dev.latentr3.engine.Tensor;

import java.util.Map;

/**
 * Stops a run at the first NaN or infinity, before it reaches the weights. A gradient is checked through its sum of
 * squares (one pass of the engine's reduction): the sum is finite exactly when every element is, barring an overflow
 * of squares above ~1.8e308 in double, which a float gradient cannot reach.
 */
public final class FiniteGuard {
    private FiniteGuard() {}

    public static void checkLoss(long step, int microBatch, double loss) {
        if (!Double.isFinite(loss)) {
            throw new NonFiniteTrainingException(step, "loss", "micro-batch " + microBatch + " gave " + loss);
        }
    }

    /** Checks every parameter's gradient, in order; the first bad one is named. */
    public static void checkGradients(long step, Map<String, Tensor> namedParameters) {
        for (var e : namedParameters.entrySet()) {
            Tensor g = e.getValue().grad();
            if (g == null) continue;
            double sumSq = g.backend().elementwise().sumOfSquares(g.numel(), g.data());
            if (!Double.isFinite(sumSq)) {
                throw new NonFiniteTrainingException(step, e.getKey(), "its gradient " + g.describe()
                        + " has a sum of squares of " + sumSq);
            }
        }
    }
}
