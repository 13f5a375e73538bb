package dev.latentr3.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer's merges worked out by hand on tiny inputs (order, ties, overlaps, byte-level spelling, special tokens),
 * and trained vocabularies checked against Hugging Face tokenizers (the Rust library through DJL): the tokenizer.json
 * we write must give the same ids there as in our {@link Tokenizer} on text it was not trained on.
 */
class BpeTrainerTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void offlineDjl() {
        // As in QwenTokenizerParityTest: the native library comes from DJL's jar, never from the network.
        System.setProperty("DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
        System.setProperty("ai.djl.offline", "true");
    }

    private static final int BYTES = 256;

    @Test
    void mergesTheMostFrequentPairFirstAndBreaksTiesBySmallerIds() {
        // (x,y) 3 times beats (a,b) twice.
        assertEquals(List.of("x y", "a b"), BpeTrainer.train(List.of("xy", "xy", "xy", "ab", "ab"), BYTES + 2 + 1, List.of()).merges());
        // (a,b) and (c,d) twice each: 'a' (97) is a smaller id than 'c' (99).
        TrainedBpe tie = BpeTrainer.train(List.of("cd", "ab", "cd", "ab"), BYTES + 2 + 1, List.of());
        assertEquals(List.of("a b", "c d"), tie.merges());
        assertEquals(List.of("ab", "cd"), tie.tokens().subList(BYTES, BYTES + 2));
        assertEquals(BYTES + 2, tie.specialTokenId(BpeTrainer.END_OF_TEXT));
        assertEquals(BYTES + 3, tie.vocabSize());
    }

    @Test
    void countsOverlappingPairsAndMergesLeftToRight() {
        // "aaaa" holds (a,a) three times, twice over: 6. Merged left to right it is "aa aa", whose pair then merges.
        TrainedBpe bpe = BpeTrainer.train(List.of("aaaa", "aaaa", "aaa"), BYTES + 2 + 1, List.of());
        assertEquals(List.of("a a", "aa aa"), bpe.merges());
        assertArrayEquals(new int[] {BYTES + 1, BYTES, 'a'}, bpe.toTokenizer().encode("aaaaaaa"));
    }

    @Test
    void spellsBytesTheByteLevelWayAndLearnsAcrossThePreTokenizersPieces() {
        // " ab ab" is two pre-tokens " ab"; (Ġ,a) and (a,b) tie at 2 and space (32) is the smaller id.
        TrainedBpe bpe = BpeTrainer.train(List.of(" ab ab"), BYTES + 2 + 1, List.of());
        assertEquals(List.of("\u0120 a", "\u0120a b"), bpe.merges());
        // é is two UTF-8 bytes, C3 A9, spelled "Ã©"; NFC makes the decomposed form the same word.
        TrainedBpe accent = BpeTrainer.train(List.of("é", "e\u0301"), BYTES + 1 + 1, List.of());
        assertEquals(List.of("\u00C3 \u00A9"), accent.merges());
    }

    @Test
    void stopsWhenNoPairIsFrequentEnoughAndNeverLearnsFromSpecialTokens() {
        TrainedBpe bpe = BpeTrainer.train(List.of("ab", "cd", "cd"), 1000, List.of());
        assertEquals(List.of("c d"), bpe.merges(), "(a,b) occurs once, below the minimum frequency of 2");
        assertEquals(BYTES + 1 + 1, bpe.vocabSize());
        assertEquals(List.of("c d", "a b"), BpeTrainer.train(List.of("ab", "cd", "cd"), 1000, List.of(), 1).merges());

        TrainedBpe specials = BpeTrainer.train(List.of("<|endoftext|><|im_start|>".repeat(50)), 1000,
                List.of("<|im_start|>", "<|im_end|>"));
        assertEquals(List.of(), specials.merges(), "text made only of special tokens has nothing to learn");
        assertEquals(List.of(BpeTrainer.END_OF_TEXT, "<|im_start|>", "<|im_end|>"), specials.specialTokens());
        assertArrayEquals(new int[] {BYTES, BYTES + 1, 'x', BYTES + 2},
                specials.toTokenizer().encode("<|endoftext|><|im_start|>x<|im_end|>"));
        // Given in the list, <|endoftext|> keeps its place.
        assertEquals(List.of("<|im_start|>", BpeTrainer.END_OF_TEXT),
                BpeTrainer.train(List.of("a"), 300, List.of("<|im_start|>", BpeTrainer.END_OF_TEXT)).specialTokens());
    }

    /**
     * The incremental pair counts against the textbook algorithm (recount every pair of every word before each merge,
     * same tie rule, same reuse of an existing token): identical merges on title-like and on adversarial random text.
     */
    @Test
    void incrementalCountsGiveTheSameMergesAsRecountingEveryTime() {
        List<String> titles = titles(800, 11);
        assertEquals(naiveMerges(titles, 600), BpeTrainer.train(titles, 601, List.of()).merges());
        List<String> random = new ArrayList<>();
        for (String s : ParityCorpus.random(250, 12)) random.add(s.replace("<|endoftext|>", "")); // no special tokens here
        assertEquals(naiveMerges(random, 500), BpeTrainer.train(random, 501, List.of()).merges());
        // Runs of two letters: pairs like (a,a) overlap themselves, the hard case for incremental counts.
        SplittableRandom rnd = new SplittableRandom(13);
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder sb = new StringBuilder();
            for (int n = 1 + rnd.nextInt(14); n > 0; n--) sb.append(rnd.nextInt(3) == 0 ? 'b' : 'a');
            runs.add(sb.toString());
        }
        List<String> merges = BpeTrainer.train(runs, 400, List.of()).merges();
        assertTrue(merges.size() > 50, "merges: " + merges.size());
        assertEquals(naiveMerges(runs, 399), merges);
    }

    /** Textbook BPE over the same pre-tokens: O(corpus) work per merge, minimum frequency 2. */
    private static List<String> naiveMerges(List<String> texts, int targetTokens) {
        Map<String, Long> wordCounts = new java.util.LinkedHashMap<>();
        for (String text : texts) {
            String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
            QwenPreTokenizer.split(nfc, 0, nfc.length(), (s, e) -> wordCounts.merge(nfc.substring(s, e), 1L, Long::sum));
        }
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < BYTES; b++) tokens.add(String.valueOf(ByteLevel.charOf(b)));
        List<List<Integer>> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        wordCounts.forEach((w, c) -> {
            List<Integer> ids = new ArrayList<>();
            for (byte b : w.getBytes(java.nio.charset.StandardCharsets.UTF_8)) ids.add(b & 0xFF);
            words.add(ids);
            counts.add(c);
        });
        List<String> merges = new ArrayList<>();
        while (tokens.size() < targetTokens) {
            Map<List<Integer>, Long> pairs = new java.util.HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<Integer> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) pairs.merge(List.of(s.get(i), s.get(i + 1)), counts.get(w), Long::sum);
            }
            List<Integer> best = null;
            long bestCount = 0;
            for (Map.Entry<List<Integer>, Long> e : pairs.entrySet()) {
                List<Integer> p = e.getKey();
                long c = e.getValue();
                boolean better = c > bestCount || c == bestCount && (p.get(0) < best.get(0) || p.get(0).equals(best.get(0)) && p.get(1) < best.get(1));
                if (better) {
                    best = p;
                    bestCount = c;
                }
            }
            if (best == null || bestCount < 2) break;
            String merged = tokens.get(best.get(0)) + tokens.get(best.get(1));
            int id = tokens.indexOf(merged);
            if (id < 0) {
                tokens.add(merged);
                id = tokens.size() - 1;
            }
            merges.add(tokens.get(best.get(0)) + " " + tokens.get(best.get(1)));
            for (List<Integer> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(best.get(0)) && s.get(i + 1).equals(best.get(1))) {
                        s.set(i, id);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }

    @Test
    void refusesArgumentsItCannotHonour() {
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("a"), BYTES, List.of()));
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("a"), 300, List.of("<x>", "<x>")));
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("a"), 300, List.of("")));
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("a\uD800"), 300, List.of()));
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("a"), 300, List.of(), 0));
    }

    /**
     * About 1 MB of generated titles to 2,000 ids: the size is reached, training takes seconds, the same input gives the
     * same file, and Hugging Face tokenizers agrees with us on titles the trainer never saw.
     */
    @Test
    void aMegabyteOfTitlesTrainsInSecondsAndMatchesHuggingFace() throws Exception {
        List<String> train = titles(30_000, 1);
        long bytes = train.stream().mapToLong(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1).sum();
        assertTrue(bytes > 900_000, "corpus of " + bytes + " bytes");
        long t0 = System.nanoTime();
        TrainedBpe bpe = BpeTrainer.train(train, 2000, List.of("<|im_start|>", "<|im_end|>"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("BpeTrainer: %d bytes of titles to %d ids in %.2f s%n", bytes, bpe.vocabSize(), seconds);
        assertEquals(2000, bpe.vocabSize());
        List<String> some = train.subList(0, 3000);
        assertEquals(BpeTrainer.train(some, 600, List.of()).json(), BpeTrainer.train(some, 600, List.of()).json(), "deterministic");

        Tokenizer ours = bpe.toTokenizer();
        long tokens = 0;
        for (String s : train.subList(0, 2000)) tokens += ours.encode(s).length;
        long sampleBytes = train.subList(0, 2000).stream().mapToLong(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
        assertTrue(tokens * 3 < sampleBytes, "a trained vocabulary should need well under a token per 3 bytes, got "
                + tokens + " tokens for " + sampleBytes + " bytes");

        List<String> heldOut = new ArrayList<>(titles(3000, 2));
        heldOut.addAll(ParityCorpus.handPicked());
        heldOut.addAll(ParityCorpus.random(1500, 3));
        heldOut.add(String.join("\n", titles(200, 4)));
        assertSameAsHuggingFace(bpe, heldOut);
    }

    /** The real CD titles when the shared data is there: train on half, compare on the other half. */
    @Test
    void amazonTitlesMatchHuggingFaceWhenPresent() throws Exception {
        List<String> titles = ParityCorpus.amazonTitles();
        org.junit.jupiter.api.Assumptions.assumeFalse(titles.isEmpty(), "shared Amazon titles are absent");
        List<String> even = new ArrayList<>(), odd = new ArrayList<>();
        for (int i = 0; i < titles.size(); i++) (i % 2 == 0 ? even : odd).add(titles.get(i));
        TrainedBpe bpe = BpeTrainer.train(even, 3000, List.of());
        assertEquals(3000, bpe.vocabSize());
        assertSameAsHuggingFace(bpe, odd);
    }

    private void assertSameAsHuggingFace(TrainedBpe bpe, List<String> texts) throws IOException {
        Path file = tmp.resolve("tokenizer.json");
        bpe.writeJson(file);
        Tokenizer ours = Tokenizer.load(file);
        assertEquals(bpe.vocabSize(), ours.vocabSize());
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            for (String text : texts) {
                int[] ids = ours.encode(text);
                long[] expected = hf.encode(text).getIds();
                assertArrayEquals(expected, Arrays.stream(ids).asLongStream().toArray(), () -> "ids of " + quote(text));
                assertEquals(Normalizer.normalize(text, Normalizer.Form.NFC), ours.decode(ids), () -> "round trip of " + quote(text));
                assertEquals(hf.decode(expected, false), ours.decode(ids), () -> "decode of the ids of " + quote(text));
            }
        }
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s).replace("\n", "\\n") + "\"";
    }

    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ren", "sa", "to", "vel", "dar", "qu", "is", "the", "an",
            "or", "ing", "ly", "ex", "zo", "ph", "str", "ou"};
    private static final String[] EXTRAS = {"Vol.", "(Remastered)", "[Deluxe Edition]", "&", "-", "Live at", "'s", "Op. 27",
            "Björk", "Motörhead", "Sigur Rós", "Café del Mar", "日本の歌", "Ελληνικά", "Привет", "♥", "😀", "No. 5:", "feat.",
            "1999", "2x CD", "½", "Ⅻ"};

    /** Seeded album-title-like strings: made-up words, numbers, punctuation and some non-Latin scripts and emoji. */
    static List<String> titles(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            StringBuilder sb = new StringBuilder();
            int words = 2 + rnd.nextInt(7);
            for (int w = 0; w < words; w++) {
                if (w > 0) sb.append(rnd.nextInt(20) == 0 ? "  " : " ");
                if (rnd.nextInt(5) == 0) {
                    sb.append(EXTRAS[rnd.nextInt(EXTRAS.length)]);
                } else if (rnd.nextInt(12) == 0) {
                    sb.append(rnd.nextInt(3000));
                } else {
                    StringBuilder word = new StringBuilder();
                    for (int s = 1 + rnd.nextInt(3); s > 0; s--) word.append(SYLLABLES[rnd.nextInt(SYLLABLES.length)]);
                    sb.append(rnd.nextBoolean() ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                }
            }
            out.add(sb.toString());
        }
        return out;
    }
}
