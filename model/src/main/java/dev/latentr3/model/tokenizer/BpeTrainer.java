package dev.latentr3.model.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Trains a byte-level BPE vocabulary for Qwen2's tokenizer configuration, so a small model can get a small vocabulary
 * fitted to its own text instead of Qwen's 151k tokens or one token per byte.
 *
 * <p>The texts go through the pipeline {@link Tokenizer#encode} uses: special tokens are cut out (they are never
 * learned from), the rest is NFC-normalized and split into pre-tokens by Qwen2's regex ({@link QwenPreTokenizer}),
 * and each distinct pre-token becomes a word of UTF-8 bytes with its count. Training starts from the 256 byte
 * symbols (id = byte value) and repeatedly merges the most frequent adjacent pair of symbols, counting each word as
 * often as it occurs. Ties are broken by the pair's ids: the smaller left id wins, then the smaller right id; ids are
 * the byte values for single bytes and then creation order, so equal input always gives equal output. A merge whose
 * result already exists as a token (the same bytes reached by another pair) reuses that token's id, as Hugging Face's
 * trainer does.
 *
 * <p>Pair counts are kept up to date incrementally: each pair remembers the words it occurs in, a merge only revisits
 * those words, and a max-heap of (count, pair) with lazily corrected entries finds the next pair. Training on about
 * 1 MB of text to 2,000 tokens takes seconds.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    /** The end-of-text marker every trained vocabulary has (first among the special tokens unless placed otherwise). */
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** Pairs seen fewer times than this are not merged by {@link #train(List, int, List)}. */
    public static final int DEFAULT_MIN_FREQUENCY = 2;

    /**
     * Trains to vocabSize ids in all (256 bytes + merged tokens + special tokens), merging only pairs seen at least
     * twice; see {@link #train(List, int, List, int)}.
     */
    public static TrainedBpe train(List<String> texts, int vocabSize, List<String> specialTokens) {
        return train(texts, vocabSize, specialTokens, DEFAULT_MIN_FREQUENCY);
    }

    /**
     * Trains a vocabulary.
     *
     * @param texts         the training texts (valid Unicode; each is one document, pre-tokens never span two)
     * @param vocabSize     the number of ids wanted in all: 256 byte tokens, the merged tokens, and the special tokens.
     *                      Fewer result when the texts run out of pairs seen at least minFrequency times
     * @param specialTokens added tokens, numbered after the BPE vocabulary in this order; {@value #END_OF_TEXT} is
     *                      put first when the list does not contain it
     * @param minFrequency  the least count of a pair to be merged (>= 1)
     */
    public static TrainedBpe train(List<String> texts, int vocabSize, List<String> specialTokens, int minFrequency) {
        List<String> specials = new ArrayList<>();
        if (!specialTokens.contains(END_OF_TEXT)) specials.add(END_OF_TEXT);
        specials.addAll(specialTokens);
        if (new LinkedHashSet<>(specials).size() != specials.size()) {
            throw new IllegalArgumentException("BpeTrainer: special tokens must be distinct, got " + specialTokens);
        }
        for (String s : specials) {
            if (s.isEmpty() || Utf8.firstLoneSurrogate(s) >= 0) {
                throw new IllegalArgumentException("BpeTrainer: a special token must be non-empty valid Unicode, got \"" + s + "\"");
            }
        }
        if (vocabSize < 256 + specials.size()) {
            throw new IllegalArgumentException("BpeTrainer: expected a vocabulary size of at least 256 bytes + "
                    + specials.size() + " special tokens = " + (256 + specials.size()) + ", got " + vocabSize);
        }
        if (minFrequency < 1) throw new IllegalArgumentException("BpeTrainer: expected minFrequency >= 1, got " + minFrequency);
        Words words = Words.count(texts, specials);
        Merger merger = new Merger(words);
        merger.run(vocabSize - specials.size(), minFrequency);
        return new TrainedBpe(merger.tokens, merger.merges, specials);
    }

    /** The distinct pre-tokens of the texts as symbol-id arrays, with how often each occurs. */
    private static final class Words {
        final List<int[]> symbols = new ArrayList<>();
        long[] counts = new long[1024];

        static Words count(List<String> texts, List<String> specials) {
            List<AddedToken> tokens = new ArrayList<>();
            for (int i = 0; i < specials.size(); i++) tokens.add(new AddedToken(i, specials.get(i), false, false, false, false, true));
            AddedTokenMatcher matcher = new AddedTokenMatcher(tokens, specials);
            Map<String, Integer> index = new HashMap<>();
            Words words = new Words();
            for (int t = 0; t < texts.size(); t++) {
                String text = texts.get(t);
                int bad = Utf8.firstLoneSurrogate(text);
                if (bad >= 0) {
                    throw new IllegalArgumentException("BpeTrainer: text %d has a lone surrogate U+%04X at index %d; it is not valid Unicode"
                            .formatted(t, (int) text.charAt(bad), bad));
                }
                matcher.split(text, 0, text.length(), new AddedTokenMatcher.Sink() {
                    @Override
                    public void text(int start, int end) {
                        String piece = Normalizer.normalize(text.substring(start, end), Normalizer.Form.NFC);
                        QwenPreTokenizer.split(piece, 0, piece.length(), (s, e) -> words.add(index, piece.substring(s, e)));
                    }

                    @Override
                    public void token(AddedToken token, int start, int end) {
                        // Special tokens are kept whole by the tokenizer; nothing to learn from them.
                    }
                });
            }
            return words;
        }

        private void add(Map<String, Integer> index, String word) {
            Integer id = index.get(word);
            if (id == null) {
                id = symbols.size();
                index.put(word, id);
                byte[] utf8 = Utf8.encode(word, 0, word.length());
                int[] ids = new int[utf8.length];
                for (int i = 0; i < utf8.length; i++) ids[i] = utf8[i] & 0xFF; // byte b is token b
                symbols.add(ids);
                if (id == counts.length) counts = Arrays.copyOf(counts, counts.length * 2);
            }
            counts[id]++;
        }
    }

    /** A pair's current count and the words it has occurred in (possibly no longer, and possibly listed twice). */
    private static final class PairStats {
        long count;
        final IntList words = new IntList(4);
    }

    /** A heap entry; its count may be stale (larger than the pair's count now), which {@link Merger#run} corrects. */
    private record Candidate(long count, int left, int right) {}

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static final class Merger {
        final Words words;
        final List<String> tokens = new ArrayList<>();
        final Map<String, Integer> idOf = new HashMap<>();
        final List<String> merges = new ArrayList<>();
        final Map<Long, PairStats> pairs = new HashMap<>();
        /** Most frequent first; on equal counts the smaller left id, then the smaller right id. */
        final PriorityQueue<Candidate> heap = new PriorityQueue<>((a, b) -> a.count != b.count ? Long.compare(b.count, a.count)
                : a.left != b.left ? Integer.compare(a.left, b.left) : Integer.compare(a.right, b.right));
        /** Counts of the pairs a merge touched, as they were before it: to find the pairs whose count went up. */
        final Map<Long, Long> before = new HashMap<>();
        /** visited[w] == merge number when word w was already rewritten by this merge (its pair lists may repeat it). */
        final int[] visited;

        Merger(Words words) {
            this.words = words;
            this.visited = new int[words.symbols.size()];
            for (int b = 0; b < 256; b++) addToken(String.valueOf(ByteLevel.charOf(b)));
            for (int w = 0; w < words.symbols.size(); w++) {
                int[] s = words.symbols.get(w);
                for (int i = 0; i + 1 < s.length; i++) {
                    PairStats p = pairs.computeIfAbsent(key(s[i], s[i + 1]), k -> new PairStats());
                    p.count += words.counts[w];
                    p.words.add(w);
                }
            }
            for (Map.Entry<Long, PairStats> e : pairs.entrySet()) {
                long k = e.getKey();
                heap.add(new Candidate(e.getValue().count, (int) (k >>> 32), (int) k));
            }
        }

        private int addToken(String token) {
            tokens.add(token);
            idOf.put(token, tokens.size() - 1);
            return tokens.size() - 1;
        }

        void run(int targetTokens, int minFrequency) {
            int mergeNumber = 0;
            while (tokens.size() < targetTokens && !heap.isEmpty()) {
                Candidate top = heap.poll();
                PairStats stats = pairs.get(key(top.left, top.right));
                long now = stats == null ? 0 : stats.count;
                if (now != top.count) {
                    // Stale: the pair lost occurrences since this entry was made. (A pair that gained occurrences got
                    // a fresh entry when it did, so an entry below the current count is simply dropped.)
                    if (now > 0 && now < top.count) heap.add(new Candidate(now, top.left, top.right));
                    continue;
                }
                if (now < minFrequency) break; // the top of the heap is the most frequent pair: nothing left to merge
                String merged = tokens.get(top.left) + tokens.get(top.right);
                Integer existing = idOf.get(merged);
                int id = existing != null ? existing : addToken(merged);
                merges.add(tokens.get(top.left) + " " + tokens.get(top.right));
                merge(top.left, top.right, id, stats, ++mergeNumber);
            }
        }

        /** Rewrites every word holding (left, right) with id and updates the counts of every pair that changed. */
        private void merge(int left, int right, int id, PairStats stats, int mergeNumber) {
            before.clear();
            IntList where = stats.words;
            for (int k = 0; k < where.size(); k++) {
                int w = where.get(k);
                if (visited[w] == mergeNumber) continue;
                visited[w] = mergeNumber;
                int[] s = words.symbols.get(w);
                if (!contains(s, left, right)) continue; // an earlier merge already took this occurrence apart
                long count = words.counts[w];
                for (int i = 0; i + 1 < s.length; i++) change(s[i], s[i + 1], -count);
                int[] t = replace(s, left, right, id);
                words.symbols.set(w, t);
                for (int i = 0; i + 1 < t.length; i++) {
                    PairStats p = change(t[i], t[i + 1], count);
                    if (t[i] == id || t[i + 1] == id) p.words.add(w); // the only pairs this word is new to
                }
            }
            for (Map.Entry<Long, Long> e : before.entrySet()) {
                long k = e.getKey();
                PairStats p = pairs.get(k);
                if (p.count == 0) {
                    pairs.remove(k);
                } else if (p.count > e.getValue()) {
                    heap.add(new Candidate(p.count, (int) (k >>> 32), (int) k));
                }
            }
        }

        private PairStats change(int left, int right, long delta) {
            long k = key(left, right);
            PairStats p = pairs.computeIfAbsent(k, x -> new PairStats());
            before.putIfAbsent(k, p.count);
            p.count += delta;
            return p;
        }

        private static boolean contains(int[] s, int left, int right) {
            for (int i = 0; i + 1 < s.length; i++) if (s[i] == left && s[i + 1] == right) return true;
            return false;
        }

        /** s with each (left, right) replaced by id, scanning left to right without overlaps ("aaa" → "Xa"). */
        private static int[] replace(int[] s, int left, int right, int id) {
            int[] out = new int[s.length];
            int n = 0;
            for (int i = 0; i < s.length; i++) {
                if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
                    out[n++] = id;
                    i++;
                } else {
                    out[n++] = s[i];
                }
            }
            return Arrays.copyOf(out, n);
        }
    }
}
