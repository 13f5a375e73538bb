package dev.latentr3.train.dataset;

import java.util.List;

/**
 * The part of Python's {@code random} module the reference pipeline uses to number items: {@code random.seed(n)}
 * for a non-negative integer and {@code random.shuffle(list)}. Python's generator is MT19937 seeded through
 * {@code init_by_array} with the seed's 32-bit words; reproducing it gives the same item ids as the reference for the
 * same surviving items in the same order.
 */
final class PythonRandom {
    private static final int N = 624;
    private static final int M = 397;

    private final int[] mt = new int[N];
    private int index = N;

    /** {@code random.seed(seed)} for {@code seed >= 0}. */
    PythonRandom(long seed) {
        if (seed < 0) throw new IllegalArgumentException("Python random seed: expected a non-negative seed, found " + seed);
        int[] key = (seed >>> 32) == 0 ? new int[] {(int) seed} : new int[] {(int) seed, (int) (seed >>> 32)};
        initByArray(key);
    }

    /** {@code random.shuffle(list)}: Fisher–Yates from the end, each index drawn by rejection from k random bits. */
    <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = below(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /** {@code random.getrandbits(32)}: the next 32-bit output, as an unsigned value. */
    long nextUnsignedInt() {
        return next32() & 0xffffffffL;
    }

    /** Python's {@code _randbelow(n)} for {@code 1 <= n < 2^31}. */
    private int below(int n) {
        int k = 32 - Integer.numberOfLeadingZeros(n); // n.bit_length()
        int r = next32() >>> (32 - k);
        while (r >= n) r = next32() >>> (32 - k);
        return r;
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (int i = 1; i < N; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }

    private void initByArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) j = 0;
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
    }

    private int next32() {
        if (index >= N) twist();
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
            mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
        }
        index = 0;
    }
}
