package dev.latentr3.kernels;

/**
 * Philox-4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
 * counter-based generator the kernels use for noise: a draw is a pure function of (key, counter), so a CUDA thread
 * and this class compute the same numbers for the same element, in any order. native/kernels/philox.cuh is the
 * device twin; tests hold both to Random123's published known-answer vectors.
 */
public final class Philox {
    private Philox() {}

    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private static final double TWO_TO_MINUS_32 = 0x1p-32;

    /** Ten rounds on counter c (four words, modified in place into the output) with key (k0, k1). */
    public static void block(int[] c, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFF_FFFFL) * (c[0] & 0xFFFF_FFFFL);
            long p1 = (M1 & 0xFFFF_FFFFL) * (c[2] & 0xFFFF_FFFFL);
            int n0 = (int) (p1 >>> 32) ^ c[1] ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c[3] ^ k1;
            c[1] = (int) p1;
            c[3] = (int) p0;
            c[0] = n0;
            c[2] = n2;
        }
    }

    /**
     * A standard normal draw for element {@code index} of the stream (seed, offset): Box-Muller on the first two output
     * words of Philox with counter (index, offset) as four 32-bit words, low first, and key = seed.
     */
    public static double gaussian(long seed, long offset, long index) {
        int[] c = {(int) index, (int) (index >>> 32), (int) offset, (int) (offset >>> 32)};
        block(c, (int) seed, (int) (seed >>> 32));
        double u1 = ((c[0] & 0xFFFF_FFFFL) + 0.5) * TWO_TO_MINUS_32, u2 = ((c[1] & 0xFFFF_FFFFL) + 0.5) * TWO_TO_MINUS_32;
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
