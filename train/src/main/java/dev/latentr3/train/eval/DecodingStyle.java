package dev.latentr3.train.eval;

/**
 * How finished beams are ranked (method doc §4.2): by summed log-probability divided by generated length^penalty.
 */
public enum DecodingStyle {
    /** Hugging Face's default length normalisation, length penalty 1: what the released LatentR3 scripts run. */
    BIGREC(1.0),
    /** D3's length penalty 0: ranking by the raw summed log-probability, free of the "ghost token" amplification. */
    D3(0.0);

    private final double lengthPenalty;

    DecodingStyle(double lengthPenalty) {
        this.lengthPenalty = lengthPenalty;
    }

    public double lengthPenalty() {
        return lengthPenalty;
    }
}
