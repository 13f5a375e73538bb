package dev.latentr3.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our tokenizer against Hugging Face tokenizers (the Rust library, through DJL's JNI binding) on Qwen's real
 * tokenizer.json: same ids for every text of the corpus, same text for every id sequence, and
 * decode(encode(x)) == NFC(x).
 */
class QwenTokenizerParityTest {
    private static Tokenizer ours;
    private static HuggingFaceTokenizer hf;

    @BeforeAll
    static void load() throws Exception {
        Path json = QwenTokenizerFile.get();
        // DJL unpacks the native library bundled in its jar into this folder; without it, into ~/.djl.ai. It
        // never needs the network for the tokenizers library, and offline makes sure it does not try.
        System.setProperty("DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
        System.setProperty("offline", "true");
        ours = Tokenizer.load(json);
        // DJL truncates to 512 tokens and pads by default; HF's own tokenizer.json says neither.
        hf = HuggingFaceTokenizer.newInstance(json, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    }

    @AfterAll
    static void close() {
        if (hf != null) hf.close();
    }

    @Test
    void handPickedAndRandomTextsGiveHuggingFaceIds() {
        List<String> corpus = new ArrayList<>(ParityCorpus.handPicked());
        corpus.addAll(ParityCorpus.random(4000, 20250101L));
        assertSameIds(corpus, "hand-picked and random");
    }

    @Test
    void everyAmazonTitleGivesHuggingFaceIds() throws Exception {
        List<String> titles = ParityCorpus.amazonTitles();
        Assumptions.assumeFalse(titles.isEmpty(), "no titles: " + ParityCorpus.sharedDir() + "/data/amazon-cds-2018/info.txt is absent");
        assertSameIds(titles, "Amazon CD titles");
        // And all of them as one document, so long texts and the newlines between titles are covered too.
        assertSameIds(List.of(String.join("\n", titles)), "Amazon CD titles as one document");
    }

    @Test
    void decodeInvertsEncodeUpToNfc() throws Exception {
        List<String> corpus = new ArrayList<>(ParityCorpus.handPicked());
        corpus.addAll(ParityCorpus.amazonTitles());
        corpus.addAll(ParityCorpus.random(1000, 7L));
        for (String text : corpus) {
            String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
            int[] ids = ours.encode(text);
            assertEquals(nfc, ours.decode(ids), () -> "round trip of " + quote(text));
            assertEquals(hf.decode(toLong(ids), false), ours.decode(ids), () -> "decode of the ids of " + quote(text));
        }
    }

    /** Random ids cut multi-byte characters apart: the U+FFFD replacements must fall where HF puts them. */
    @Test
    void arbitraryIdSequencesDecodeLikeHuggingFace() {
        SplittableRandom rnd = new SplittableRandom(99);
        int n = ours.vocabSize();
        for (int k = 0; k < 3000; k++) {
            int[] ids = new int[1 + rnd.nextInt(12)];
            for (int i = 0; i < ids.length; i++) {
                // Favour the low ids (single bytes, including UTF-8 lead and continuation bytes) and the added tokens.
                int pick = rnd.nextInt(10);
                ids[i] = pick < 4 ? rnd.nextInt(256) : pick < 6 ? n - 1 - rnd.nextInt(26) : rnd.nextInt(n);
            }
            boolean skip = rnd.nextBoolean();
            assertEquals(hf.decode(toLong(ids), skip), ours.decode(ids, skip), () -> "decode of " + Arrays.toString(ids) + " skip=" + skip);
        }
    }

    private static void assertSameIds(List<String> texts, String what) {
        int identical = 0;
        List<String> diffs = new ArrayList<>();
        for (String text : texts) {
            int[] expected = Arrays.stream(hf.encode(text).getIds()).mapToInt(Math::toIntExact).toArray();
            int[] actual = ours.encode(text);
            if (Arrays.equals(expected, actual)) {
                identical++;
            } else if (diffs.size() < 10) {
                diffs.add(quote(text) + "\n  HF:   " + Arrays.toString(expected) + "\n  ours: " + Arrays.toString(actual));
            }
        }
        System.out.printf("tokenizer parity (%s): %d texts compared, %d identical%n", what, texts.size(), identical);
        assertTrue(diffs.isEmpty(), (texts.size() - identical) + " of " + texts.size() + " texts differ, e.g.\n" + String.join("\n", diffs));
        assertEquals(texts.size(), identical);
    }

    private static long[] toLong(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }

    private static String quote(String s) {
        String shown = s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
        return "\"" + shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }
}
