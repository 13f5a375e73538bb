package dev.latentr3.train.sft;

/**
 * Early stopping on the validation loss, as Hugging Face's EarlyStoppingCallback with threshold 0: a validation
 * improves when its loss is strictly below the best so far; training stops once {@code patience} validations in a
 * row have not improved.
 *
 * @param bestLoss            best validation loss so far (+infinity before the first)
 * @param bestStep            the step that reached it (0 before the first)
 * @param evalsWithoutImprovement validations since the best one
 */
public record EarlyStopping(double bestLoss, long bestStep, int evalsWithoutImprovement) {
    public static EarlyStopping start() {
        return new EarlyStopping(Double.POSITIVE_INFINITY, 0, 0);
    }

    /** The state after a validation at {@code step} with loss {@code loss}. */
    public EarlyStopping after(long step, double loss) {
        return loss < bestLoss ? new EarlyStopping(loss, step, 0)
                               : new EarlyStopping(bestLoss, bestStep, evalsWithoutImprovement + 1);
    }

    public boolean improvedAt(long step) {
        return bestStep == step && evalsWithoutImprovement == 0;
    }

    public boolean shouldStop(int patience) {
        return evalsWithoutImprovement >= patience;
    }
}
