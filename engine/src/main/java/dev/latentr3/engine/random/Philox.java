package dev.latentr3.engine.random;

/**
 * The Philox4x32-10 block function (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011): four 32-bit counter words and two key words in, four uniformly distributed 32-bit words out.
 *
 * <p>Why counter-based: the i-th random word of a stream is a pure function of (key, i), so any thread can produce any
 * part of a tensor's numbers and the result does not depend on how the work was split; CUDA's curand implements the
 * same function, which lets a later GPU backend produce the very same numbers.
 */
public final class Philox {
    private Philox() {}

    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private static final int ROUNDS = 10;

    /** Writes the four output words for counter (c0, c1, c2, c3) and key (k0, k1) into out[0..3]. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            if (r > 0) { // the key schedule: a Weyl sequence, bumped before every round but the first
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0;
            int n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
