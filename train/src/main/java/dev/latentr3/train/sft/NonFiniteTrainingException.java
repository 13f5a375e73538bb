package dev.latentr3.train.sft;

/** A NaN or infinity in the loss or a gradient: training stops there, naming the step and the tensor. */
public final class NonFiniteTrainingException extends RuntimeException {
    private final long step;
    private final String tensor;

    public NonFiniteTrainingException(long step, String tensor, String detail) {
        super("SFT step " + step + ": " + tensor + " is not finite (" + detail + "); stopping before the update");
        this.step = step;
        this.tensor = tensor;
    }

    /** The optimizer step (1-based) that produced it. */
    public long step() {
        return step;
    }

    /** "loss" or the parameter name whose gradient holds it. */
    public String tensor() {
        return tensor;
    }
}
