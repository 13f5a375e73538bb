package dev.latentr3.model.config;

import dev.latentr3.model.json.FileFormatException;
import dev.latentr3.model.json.Json;
import dev.latentr3.model.json.JsonField;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a Hugging Face Qwen2 config.json into a {@link Qwen2Config}. Every top-level field is either read and
 * checked, or on a short list of fields that cannot change the model's math; anything else is refused by name,
 * because a field we do not understand may change what the model computes, and ignoring it would silently give a
 * different model.
 */
final class Qwen2ConfigReader {
    private Qwen2ConfigReader() {}

    /** Hugging Face's default for configs that omit it. */
    static final double DEFAULT_INITIALIZER_RANGE = 0.02;

    private static final Set<String> READ = Set.of(
            "architectures", "model_type", "hidden_act", "vocab_size", "hidden_size", "intermediate_size",
            "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "max_position_embeddings",
            "rope_theta", "rope_scaling", "rms_norm_eps", "tie_word_embeddings", "torch_dtype", "dtype",
            "bos_token_id", "eos_token_id", "initializer_range", "attention_dropout", "use_sliding_window",
            "layer_types", "use_mrope");

    /**
     * Fields that leave the model's math unchanged: provenance ({@code transformers_version}, {@code _name_or_path}),
     * inference and API switches ({@code use_cache}, {@code output_attentions}, {@code output_hidden_states},
     * {@code return_dict}), padding, which the batcher handles with masks ({@code pad_token_id}), and the
     * sliding-window sizes, which only matter when {@code use_sliding_window} is true, and that we refuse.
     */
    private static final Set<String> HARMLESS = Set.of(
            "transformers_version", "_name_or_path", "use_cache", "output_attentions", "output_hidden_states",
            "return_dict", "pad_token_id", "sliding_window", "max_window_layers");

    static Qwen2Config load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    static Qwen2Config parse(String json, String source) {
        JsonField root = JsonField.root(Json.parse(json, source), source);
        for (String key : root.object().keySet()) {
            if (!READ.contains(key) && !HARMLESS.contains(key)) {
                throw root.get(key).unsupported("field not supported by our Qwen2 (we read: " + sorted(READ)
                        + "; we ignore as harmless: " + sorted(HARMLESS) + ")");
            }
        }
        checkArchitecture(root);
        refuseUnsupportedFeatures(root);

        int layers = root.get("num_hidden_layers").positiveInt();
        int heads = root.get("num_attention_heads").positiveInt();
        int hidden = root.get("hidden_size").positiveInt();
        JsonField kv = root.get("num_key_value_heads");
        int kvHeads = kv.isMissingOrNull() ? heads : kv.positiveInt(); // Hugging Face's default: one per query head
        JsonField headDim = root.get("head_dim");
        if (!headDim.isMissingOrNull() && hidden % heads == 0 && headDim.positiveInt() != hidden / heads) {
            throw headDim.unsupported("Qwen2 derives the head dimension as hidden_size / num_attention_heads = " + hidden / heads
                    + "; a different head_dim is not supported");
        }
        checkLayerTypes(root.get("layer_types"), layers);
        JsonField init = root.get("initializer_range");
        try {
            return new Qwen2Config(
                    root.get("vocab_size").positiveInt(),
                    hidden,
                    root.get("intermediate_size").positiveInt(),
                    layers,
                    heads,
                    kvHeads,
                    root.get("max_position_embeddings").positiveInt(),
                    root.get("rope_theta").finiteNumber(),
                    root.get("rms_norm_eps").finiteNumber(),
                    root.get("tie_word_embeddings").bool(),
                    torchDtype(root),
                    root.get("bos_token_id").nonNegativeInt(),
                    root.get("eos_token_id").nonNegativeInt(),
                    init.isMissing() ? DEFAULT_INITIALIZER_RANGE : init.finiteNumber());
        } catch (IllegalArgumentException e) {
            // The record's own checks name the fields by their config.json names.
            throw new FileFormatException(source, "", e.getMessage());
        }
    }

    private static void checkArchitecture(JsonField root) {
        JsonField type = root.get("model_type");
        if (!Qwen2Config.MODEL_TYPE.equals(type.string())) {
            throw type.unsupported("model_type \"" + type.string() + "\" is not \"" + Qwen2Config.MODEL_TYPE + "\"");
        }
        JsonField architectures = root.get("architectures");
        List<String> names = architectures.elements().stream().map(JsonField::string).toList();
        if (!names.contains(Qwen2Config.ARCHITECTURE)) {
            throw architectures.unsupported(names + " does not contain " + Qwen2Config.ARCHITECTURE);
        }
        JsonField act = root.get("hidden_act");
        // Absent means Hugging Face's default for Qwen2, which is SiLU.
        if (!act.isMissing() && !Qwen2Config.HIDDEN_ACT.equals(act.string())) {
            throw act.unsupported("activation \"" + act.string() + "\" is not supported; the MLP is SwiGLU with SiLU");
        }
    }

    private static void refuseUnsupportedFeatures(JsonField root) {
        JsonField sliding = root.get("use_sliding_window");
        if (!sliding.isMissingOrNull() && sliding.bool()) {
            throw sliding.unsupported("sliding-window attention is not implemented: every layer attends to the whole causal context");
        }
        JsonField scaling = root.get("rope_scaling");
        if (!scaling.isMissingOrNull()) {
            JsonField kind = scaling.get("rope_type").isMissing() ? scaling.get("type") : scaling.get("rope_type");
            String name = kind.isMissing() ? "(no rope_type given)" : "\"" + kind.string() + "\"";
            throw scaling.unsupported("RoPE scaling " + name + " is not supported: we implement plain RoPE with rope_theta only");
        }
        JsonField dropout = root.get("attention_dropout");
        if (!dropout.isMissingOrNull() && dropout.finiteNumber() != 0) {
            throw dropout.unsupported("attention dropout " + dropout.finiteNumber() + " is not implemented; training with this"
                    + " config would silently differ from Hugging Face's, which drops attention weights while training");
        }
        JsonField mrope = root.get("use_mrope");
        if (!mrope.isMissingOrNull() && mrope.bool()) {
            throw mrope.unsupported("multimodal RoPE (Qwen2-VL) is not supported");
        }
    }

    /** Newer Hugging Face versions spell out each layer's attention; ours is full attention everywhere. */
    private static void checkLayerTypes(JsonField layerTypes, int layers) {
        if (layerTypes.isMissingOrNull()) return;
        List<JsonField> types = layerTypes.elements();
        if (types.size() != layers) {
            throw layerTypes.unsupported("lists " + types.size() + " layers, but num_hidden_layers is " + layers);
        }
        for (JsonField t : types) {
            if (!t.string().equals("full_attention")) {
                throw t.unsupported("layer type \"" + t.string() + "\" is not supported; every layer must be \"full_attention\"");
            }
        }
    }

    /** {@code torch_dtype}, or {@code dtype} as newer Hugging Face versions name it; both must agree if both are there. */
    private static String torchDtype(JsonField root) {
        JsonField torchDtype = root.get("torch_dtype");
        JsonField dtype = root.get("dtype");
        if (torchDtype.isMissing() && dtype.isMissing()) throw torchDtype.fail("the weights' dtype (torch_dtype or dtype)");
        if (!torchDtype.isMissing() && !dtype.isMissing() && !torchDtype.string().equals(dtype.string())) {
            throw dtype.unsupported("\"" + dtype.string() + "\" contradicts torch_dtype \"" + torchDtype.string() + "\"");
        }
        JsonField f = torchDtype.isMissing() ? dtype : torchDtype;
        if (!Qwen2Config.TORCH_DTYPES.contains(f.string())) {
            throw f.unsupported("\"" + f.string() + "\" is not one of " + new TreeSet<>(Qwen2Config.TORCH_DTYPES));
        }
        return f.string();
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", new TreeSet<>(names));
    }
}
