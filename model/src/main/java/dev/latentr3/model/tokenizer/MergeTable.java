package dev.latentr3.model.tokenizer;

import java.util.Arrays;

/**
 * The BPE merges as a map from a pair of token ids to (rank, merged id), in open addressing over primitive arrays:
 * BPE looks a pair up for every adjacent pair of every new word, so boxing keys in a HashMap would dominate.
 */
final class MergeTable {
    private final long[] keys;
    private final int[] ranks;
    private final int[] results;
    private final int mask;
    private static final long EMPTY = -1L;

    MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        Arrays.fill(keys, EMPTY);
        ranks = new int[cap];
        results = new int[cap];
        mask = cap - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    /** Adds or replaces a pair; a later duplicate line replaces the earlier one, as in HF's merge map. */
    void put(int left, int right, int rank, int result) {
        long k = key(left, right);
        int i = hash(k) & mask;
        while (keys[i] != EMPTY && keys[i] != k) i = (i + 1) & mask;
        keys[i] = k;
        ranks[i] = rank;
        results[i] = result;
    }

    /** The slot of the pair, or -1 when the pair does not merge. */
    int find(int left, int right) {
        long k = key(left, right);
        int i = hash(k) & mask;
        while (true) {
            long at = keys[i];
            if (at == k) return i;
            if (at == EMPTY) return -1;
            i = (i + 1) & mask;
        }
    }

    int rank(int slot) {
        return ranks[slot];
    }

    int result(int slot) {
        return results[slot];
    }
}
