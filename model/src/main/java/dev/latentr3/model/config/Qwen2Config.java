package dev.latentr3.model.config;

import dev.latentr3.model.json.Json;
import dev.latentr3.model.json.JsonWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The shape of a Qwen2 / Qwen2.5 decoder, as Hugging Face's {@code config.json} gives it ({@code model_type} "qwen2",
 * architecture {@code Qwen2ForCausalLM}). Only what the architecture we implement can honour is accepted: SiLU MLP,
 * q/k/v projections with bias (Qwen2 always has them, so there is no switch), plain RoPE with {@code rope_theta},
 * full causal attention in every layer. Fields that would change the model in ways we do not implement are refused
 * by name when loading (see {@link #load}), never ignored.
 *
 * <p>The compact constructor checks the numbers whichever way a config is made (loaded, or built by init-model):
 * sizes positive, heads divide the hidden size into an even head dimension (RoPE rotates pairs), query heads a
 * multiple of key/value heads (grouped-query attention), token ids inside the vocabulary.
 *
 * @param torchDtype the dtype the checkpoint's weights are stored in: "bfloat16", "float16" or "float32"
 * @param initializerRange the standard deviation Hugging Face initialises weights with (used by init-model)
 */
public record Qwen2Config(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int maxPositionEmbeddings,
        double ropeTheta,
        double rmsNormEps,
        boolean tieWordEmbeddings,
        String torchDtype,
        int bosTokenId,
        int eosTokenId,
        double initializerRange) {

    public static final String MODEL_TYPE = "qwen2";
    public static final String ARCHITECTURE = "Qwen2ForCausalLM";
    public static final String HIDDEN_ACT = "silu";
    public static final Set<String> TORCH_DTYPES = Set.of("bfloat16", "float16", "float32");

    public Qwen2Config {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
                    + numAttentionHeads + " (the head dimension must be a whole number)");
        }
        if ((hiddenSize / numAttentionHeads) % 2 != 0) {
            throw new IllegalArgumentException("the head dimension hidden_size / num_attention_heads = " + hiddenSize / numAttentionHeads
                    + " is odd; rotary embeddings rotate pairs of dimensions");
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numAttentionHeads + " is not a multiple of num_key_value_heads "
                    + numKeyValueHeads + " (each key/value head serves a whole group of query heads)");
        }
        positiveFinite("rope_theta", ropeTheta);
        positiveFinite("rms_norm_eps", rmsNormEps);
        if (!(initializerRange >= 0 && Double.isFinite(initializerRange))) {
            throw new IllegalArgumentException("initializer_range must be a finite number >= 0, got " + initializerRange);
        }
        if (!TORCH_DTYPES.contains(torchDtype)) {
            throw new IllegalArgumentException("torch_dtype \"" + torchDtype + "\" is not one of " + new TreeSet<>(TORCH_DTYPES));
        }
        tokenId("bos_token_id", bosTokenId, vocabSize);
        tokenId("eos_token_id", eosTokenId, vocabSize);
    }

    /** Reads and checks a Hugging Face config.json; errors name the file and the field. */
    public static Qwen2Config load(Path configJson) throws IOException {
        return Qwen2ConfigReader.load(configJson);
    }

    /** Parses config.json text; {@code source} names it in errors. */
    public static Qwen2Config parse(String json, String source) {
        return Qwen2ConfigReader.parse(json, source);
    }

    /** Dimension of one attention head. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Query heads per key/value head. */
    public int queriesPerKeyValueHead() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Qwen2's q, k and v projections always have a bias (o_proj and the MLP have none). */
    public boolean qkvBias() {
        return true;
    }

    /**
     * A config.json Hugging Face's Qwen2 loads as this same model, and {@link #load} reads back to an equal record.
     * Keys sorted and indented as {@code save_pretrained} writes them.
     */
    public String toJson() {
        Map<String, Object> m = new TreeMap<>();
        m.put("architectures", List.of(ARCHITECTURE));
        m.put("attention_dropout", 0.0);
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenId);
        m.put("hidden_act", HIDDEN_ACT);
        m.put("hidden_size", hiddenSize);
        m.put("initializer_range", initializerRange);
        m.put("intermediate_size", intermediateSize);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("model_type", MODEL_TYPE);
        m.put("num_attention_heads", numAttentionHeads);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("num_key_value_heads", numKeyValueHeads);
        m.put("rms_norm_eps", rmsNormEps);
        m.put("rope_scaling", Json.NULL);
        m.put("rope_theta", ropeTheta);
        m.put("sliding_window", Json.NULL);
        m.put("tie_word_embeddings", tieWordEmbeddings);
        m.put("torch_dtype", torchDtype);
        m.put("use_cache", true);
        m.put("use_sliding_window", false);
        m.put("vocab_size", vocabSize);
        return JsonWriter.pretty(m);
    }

    private static void positive(String field, int value) {
        if (value <= 0) throw new IllegalArgumentException(field + " must be positive, got " + value);
    }

    private static void positiveFinite(String field, double value) {
        if (!(value > 0 && Double.isFinite(value))) throw new IllegalArgumentException(field + " must be a finite number > 0, got " + value);
    }

    private static void tokenId(String field, int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException(field + " " + id + " is outside the vocabulary [0, " + vocabSize + ")");
        }
    }
}
