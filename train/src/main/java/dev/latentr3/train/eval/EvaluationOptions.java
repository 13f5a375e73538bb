package dev.latentr3.train.eval;

/**
 * @param numBeams  beams kept and titles returned per row (the reference: 10 and 10)
 * @param batchSize test rows decoded together in one beam search (the reference: 12 or 24)
 * @param style     the length penalty of the beam ranking
 */
public record EvaluationOptions(int numBeams, int batchSize, DecodingStyle style) {
    public EvaluationOptions {
        if (numBeams <= 0) throw new IllegalArgumentException("evaluation: numBeams must be positive, got " + numBeams);
        if (batchSize <= 0) throw new IllegalArgumentException("evaluation: batchSize must be positive, got " + batchSize);
        if (style == null) throw new IllegalArgumentException("evaluation: expected a decoding style, found null");
    }

    /** The reference's settings: 10 beams, BIGRec-style length penalty 1. */
    public static EvaluationOptions reference(int batchSize) {
        return new EvaluationOptions(10, batchSize, DecodingStyle.BIGREC);
    }
}
