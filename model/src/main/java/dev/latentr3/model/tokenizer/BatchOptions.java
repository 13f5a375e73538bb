package dev.latentr3.model.tokenizer;

/**
 * How {@link Tokenizer#encodeBatch} shapes its rows. Truncation (when {@code maxLength > 0}) cuts each row to
 * {@code maxLength} ids, dropping ids from the {@code truncationSide}; padding then fills rows with {@code padId} on
 * the {@code paddingSide}, up to the longest row ({@link Padding#LONGEST}) or to {@code padLength}
 * ({@link Padding#FIXED}). Left padding is what batched generation wants (every prompt ends at the same column);
 * left truncation keeps the end of a long history.
 */
public record BatchOptions(Padding padding, int padLength, Side paddingSide, int padId, int maxLength, Side truncationSide) {
    public enum Padding { NONE, LONGEST, FIXED }

    public enum Side { LEFT, RIGHT }

    public BatchOptions {
        if (padding == null || paddingSide == null || truncationSide == null) {
            throw new IllegalArgumentException("padding, paddingSide and truncationSide must not be null");
        }
        if (maxLength < 0) throw new IllegalArgumentException("maxLength must be >= 0 (0: no truncation), got " + maxLength);
        if (padId < 0) throw new IllegalArgumentException("padId must be a token id (>= 0), got " + padId);
        if (padding == Padding.FIXED && padLength <= 0) {
            throw new IllegalArgumentException("FIXED padding needs padLength > 0, got " + padLength);
        }
        if (padding == Padding.FIXED && maxLength > padLength) {
            throw new IllegalArgumentException("maxLength " + maxLength + " exceeds the fixed pad length " + padLength + ": rows could not fit");
        }
    }

    /** No truncation, no padding: rows keep their own lengths. */
    public static BatchOptions none() {
        return new BatchOptions(Padding.NONE, 0, Side.RIGHT, 0, 0, Side.RIGHT);
    }

    public BatchOptions padToLongest(int padId, Side side) {
        return new BatchOptions(Padding.LONGEST, 0, side, padId, maxLength, truncationSide);
    }

    public BatchOptions padTo(int length, int padId, Side side) {
        return new BatchOptions(Padding.FIXED, length, side, padId, maxLength, truncationSide);
    }

    public BatchOptions truncate(int maxLength, Side side) {
        return new BatchOptions(padding, padLength, paddingSide, padId, maxLength, side);
    }
}
