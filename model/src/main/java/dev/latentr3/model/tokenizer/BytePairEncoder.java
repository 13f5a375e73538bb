package dev.latentr3.model.tokenizer;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE over one pre-token: the word's UTF-8 bytes start as one token each, then the adjacent pair with the
 * lowest merge rank is merged (the leftmost one on ties) until no adjacent pair has a merge. A heap keyed by
 * (rank, position) makes this O(n log n) per word, which matters for long runs (a page of '=' or of spaces is one
 * pre-token); results are cached per word, since natural text repeats words constantly.
 */
final class BytePairEncoder {
    /** Words are cached until the cache holds this many; after that new words are encoded but not kept. */
    private static final int CACHE_CAPACITY = 50_000;
    /** Longer words are rarely repeated and would bloat the cache. */
    private static final int CACHE_MAX_WORD = 64;

    private final int[] byteIds;
    private final MergeTable merges;
    /** Only consulted with ignore_merges: then a word that is itself in the vocabulary is one token. */
    private final Map<String, Integer> vocab;
    private final boolean ignoreMerges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /** {@code byteIds[b]} is the id of the one-byte token for byte b. */
    BytePairEncoder(int[] byteIds, MergeTable merges, Map<String, Integer> vocab, boolean ignoreMerges) {
        this.byteIds = byteIds.clone();
        this.merges = merges;
        this.vocab = vocab;
        this.ignoreMerges = ignoreMerges;
    }

    /** Appends the ids of the word text[start, end) (no lone surrogates; the caller checked). */
    void encode(String text, int start, int end, IntList out) {
        boolean cacheable = end - start <= CACHE_MAX_WORD;
        String word = null;
        if (cacheable) {
            word = text.substring(start, end);
            int[] hit = cache.get(word);
            if (hit != null) {
                out.addAll(hit);
                return;
            }
        }
        int[] ids = encodeUncached(text, start, end);
        if (cacheable && cache.size() < CACHE_CAPACITY) cache.put(word, ids);
        out.addAll(ids);
    }

    private int[] encodeUncached(String text, int start, int end) {
        byte[] utf8 = Utf8.encode(text, start, end);
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.spell(utf8));
            if (whole != null) return new int[] {whole};
        }
        int n = utf8.length;
        int[] sym = new int[n];
        for (int i = 0; i < n; i++) sym[i] = byteIds[utf8[i] & 0xFF];
        if (n == 1) return sym;
        return mergeAll(sym);
    }

    /** Merges in place over a linked list of symbols; returns the surviving ids in order. */
    private int[] mergeAll(int[] sym) {
        int n = sym.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) push(heap, sym[i], sym[i + 1], i);
        int alive = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (dead[pos]) continue;
            int right = next[pos];
            if (right < 0) continue;
            int slot = merges.find(sym[pos], sym[right]);
            // The pair at pos changed since this entry was pushed: the entry is stale.
            if (slot < 0 || merges.rank(slot) != rank) continue;
            sym[pos] = merges.result(slot);
            dead[right] = true;
            alive--;
            next[pos] = next[right];
            if (next[pos] >= 0) prev[next[pos]] = pos;
            if (prev[pos] >= 0) push(heap, sym[prev[pos]], sym[pos], prev[pos]);
            if (next[pos] >= 0) push(heap, sym[pos], sym[next[pos]], pos);
        }
        int[] out = new int[alive];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) out[k++] = sym[i];
        return out;
    }

    private void push(LongHeap heap, int left, int right, int pos) {
        int slot = merges.find(left, right);
        // Rank in the high half, position in the low half: the heap's order is rank first, then leftmost.
        if (slot >= 0) heap.push(((long) merges.rank(slot) << 32) | pos);
    }

    /** A binary min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(capacity, 4)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) break;
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long last = a[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && a[child + 1] < a[child]) child++;
                if (a[child] >= last) break;
                a[i] = a[child];
                i = child;
            }
            a[i] = last;
            return top;
        }
    }
}
