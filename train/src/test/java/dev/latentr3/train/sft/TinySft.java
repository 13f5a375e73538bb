package dev.latentr3.train.sft;

import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.model.latent.LatentRATT;
import dev.latentr3.model.latent.ThoughtToken;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Weights;
import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.ChronologicalSplit;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import dev.latentr3.train.dataset.SyntheticDataset;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny LatentR3 setup for SFT tests: a byte-level tokenizer in Qwen2's tokenizer.json format with no merges (ids
 * 0..255 are the bytes, then {@code <|endoftext|>} 256 and {@code <|Thought|>} 257), a random 2-layer Qwen2 of hidden
 * size 32 over those 258 ids, LatentRATT, and a small synthetic dataset split 80/10/10 by time.
 */
final class TinySft {
    static final String QWEN_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final PromptTemplate TEMPLATE = new PromptTemplate("musics");

    final Tokenizer tokenizer;
    final List<Interaction> train;
    final List<Interaction> valid;

    TinySft(int users) {
        this.tokenizer = byteTokenizer().withSpecialToken(PromptTemplate.EOS_TOKEN);
        List<Interaction> rows = SyntheticDataset.generate(SyntheticDataset.Options.of(48, users, 7)).rows();
        List<List<Interaction>> parts = ChronologicalSplit.split(rows, 0.8, 0.9);
        this.train = parts.get(0);
        this.valid = parts.get(1);
    }

    static Qwen2Config config(int vocab) {
        return new Qwen2Config(vocab, 32, 64, 2, 4, 2, 512, 10_000.0, 1e-6, true, "float32", 0, 256, 0.02);
    }

    /** A random model with the thought token installed: 258 rows, the thought id 257. */
    LatentModel latentModel(long seed) {
        ThoughtToken.Installed installed = ThoughtToken.install(tokenizer, randomLlm(tokenizer.vocabSize(), seed), seed + 1);
        LatentRATT attention = LatentRATT.initialize(32, 0.02, seed + 2);
        return new LatentModel(installed.model(), attention, installed.thoughtId());
    }

    Tokenizer latentTokenizer() {
        return tokenizer.withSpecialToken(ThoughtToken.CONTENT);
    }

    SftCollator latentCollator(int cutoff) {
        return new SftCollator(new SequenceTokens(latentTokenizer(), TEMPLATE, true), cutoff);
    }

    static Qwen2ForCausalLM randomLlm(int vocab, long seed) {
        Qwen2Config config = config(vocab);
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Qwen2Weights.expectedShapes(config).forEach((name, shape) -> {
            boolean norm = name.endsWith("norm.weight");
            float[] v = new float[Math.toIntExact(Shapes.numel(shape))];
            for (int i = 0; i < v.length; i++) v[i] = (float) (norm ? 1.0 : 0.05 * random.nextGaussian());
            weights.put(name, Tensor.of(v, shape));
        });
        return Qwen2ForCausalLM.load(config, weights);
    }

    /** Qwen2's tokenizer.json layout with the 256 byte tokens only (GPT-2's byte-to-character map) and no merges. */
    static Tokenizer byteTokenizer() {
        StringBuilder vocab = new StringBuilder("{");
        int unprintable = 0;
        for (int b = 0; b < 256; b++) {
            char c = printable(b) ? (char) b : (char) (256 + unprintable++);
            String s = c == '"' || c == '\\' ? "\\" + c : String.valueOf(c);
            vocab.append('"').append(s).append("\":").append(b).append(b < 255 ? "," : "}");
        }
        String byteLevel = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}";
        String pattern = QWEN_PATTERN.replace("\\", "\\\\");
        String json = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
                + "\"normalizer\":{\"type\":\"NFC\"},"
                + "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":\""
                + pattern + "\"},\"behavior\":\"Isolated\",\"invert\":false}," + byteLevel + "]},"
                + "\"post_processor\":" + byteLevel + ",\"decoder\":" + byteLevel + ","
                + "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":\"\","
                + "\"end_of_word_suffix\":\"\",\"fuse_unk\":false,\"byte_fallback\":false,\"ignore_merges\":false,"
                + "\"vocab\":" + vocab + ",\"merges\":[]}}";
        return Tokenizer.fromJson(json, "tiny-bytes.json");
    }

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }
}
