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
        System.setProperty("ai.djl.offline", "true");
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

    /**
     * Qwen's own added tokens use none of the flags, so this adds tokens that use each of them (lstrip, rstrip,
     * single_word, normalized, a non-ASCII content, content that only NFC makes match) to a copy of Qwen's file and
     * compares both tokenizers on text built around them.
     */
    @Test
    void addedTokenFlagsBehaveAsInHuggingFace() throws Exception {
        String extra = """
                {"id":151669,"content":"[MASK]","single_word":false,"lstrip":true,"rstrip":false,"normalized":false,"special":true},
                {"id":151670,"content":"<rs>","single_word":false,"lstrip":false,"rstrip":true,"normalized":false,"special":false},
                {"id":151671,"content":"<both>","single_word":false,"lstrip":true,"rstrip":true,"normalized":true,"special":true},
                {"id":151672,"content":"qqsw","single_word":true,"lstrip":false,"rstrip":false,"normalized":false,"special":false},
                {"id":151673,"content":"café","single_word":false,"lstrip":false,"rstrip":false,"normalized":true,"special":false},
                {"id":151674,"content":"你好吗","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":false},
                {"id":151675,"content":"\u212B","single_word":false,"lstrip":false,"rstrip":false,"normalized":true,"special":false},
                {"id":151676,"content":"e\u0301x","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}
                """;
        String json = java.nio.file.Files.readString(QwenTokenizerFile.get());
        // Appended after Qwen's own added tokens: HF numbers added tokens in file order, so they get 151669 on.
        int end = json.lastIndexOf(']', json.indexOf("\"normalizer\":"));
        assertTrue(end > 0, "Qwen's tokenizer.json has no added_tokens array before normalizer");
        Path modified = Path.of("target", "tokenizer-extra-added-tokens.json").toAbsolutePath();
        java.nio.file.Files.createDirectories(modified.getParent());
        java.nio.file.Files.writeString(modified, json.substring(0, end) + "," + extra + json.substring(end));
        Tokenizer oursExtra = Tokenizer.load(modified);
        try (HuggingFaceTokenizer hfExtra = HuggingFaceTokenizer.newInstance(modified,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            String[] parts = {"[MASK]", "<rs>", "<both>", "qqsw", "café", "cafe\u0301", "你好吗", "\u212B", "\u00C5", "e\u0301x",
                    "é", "x", " ", "  ", "\t", "\n", "word", "9", "<|im_start|>", "a", "你好", "<", ">", "MASK", "_", "\u0301",
                    "\u00A0", "\u3000", "\u200D", "٣", "Ⅻ", "½", "-"};
            SplittableRandom rnd = new SplittableRandom(5);
            List<String> texts = new ArrayList<>(List.of("a [MASK] b", "a  [MASK]", "<rs>  x", "<both>", " <both> ",
                    "qqsw", "a qqsw b", "aqqsw", "qqswa", "1qqsw", "qqsw1", "_qqsw_", "é qqsw", "caféqqsw", "cafe\u0301",
                    "\u212B\u00C5", "e\u0301x", "e\u0301xe\u0301", "你好吗你好", "<rs> <rs>[MASK]", "[MASK][MASK]"));
            for (int k = 0; k < 3000; k++) {
                StringBuilder sb = new StringBuilder();
                int n = 1 + rnd.nextInt(8);
                for (int i = 0; i < n; i++) sb.append(parts[rnd.nextInt(parts.length)]);
                texts.add(sb.toString());
            }
            int identical = 0;
            for (String text : texts) {
                int[] expected = Arrays.stream(hfExtra.encode(text).getIds()).mapToInt(Math::toIntExact).toArray();
                int[] actual = oursExtra.encode(text);
                assertEquals(Arrays.toString(expected), Arrays.toString(actual), () -> "ids of " + quote(text));
                for (boolean skip : new boolean[] {false, true}) {
                    assertEquals(hfExtra.decode(toLong(actual), skip), oursExtra.decode(actual, skip), () -> "decode of " + quote(text));
                }
                identical++;
            }
            System.out.printf("tokenizer parity (added-token flags): %d texts compared, %d identical%n", texts.size(), identical);
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
