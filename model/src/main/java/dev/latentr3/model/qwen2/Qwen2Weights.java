package dev.latentr3.model.qwen2;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.OwnedTensors;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Casts;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.model.checkpoint.SafetensorsCheckpoint;
import dev.latentr3.model.checkpoint.SafetensorsDType;
import dev.latentr3.model.config.Qwen2Config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The weights of a Qwen2ForCausalLM under their Hugging Face names, as owned F32 tensors.
 *
 * <p>Why F32: the CPU backend computes in F32, so BF16 (and F16) checkpoint weights are converted once, here, rather
 * than at every use; the model then takes 4 bytes per parameter ({@link #byteSize()}; Qwen2.5-0.5B, 494M parameters
 * with tied embeddings, takes about 1.98 GB). F32 weights are copied too, out of the caller's memory (a mapped file is
 * read-only, and training updates weights in place).
 *
 * <p>With tied embeddings the output layer is {@code model.embed_tokens.weight} and there is no
 * {@code lm_head.weight}; a tied checkpoint that still stores one has it ignored, as Hugging Face's loader does
 * (tying overwrites it).
 */
public final class Qwen2Weights {
    public static final String EMBED_TOKENS = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    /** One decoder layer's weights; the q, k, v biases are Qwen2's, o_proj and the MLP have none. */
    public record Layer(Tensor inputLayernorm, Tensor qProj, Tensor qBias, Tensor kProj, Tensor kBias, Tensor vProj,
                        Tensor vBias, Tensor oProj, Tensor postAttentionLayernorm, Tensor gateProj, Tensor upProj,
                        Tensor downProj) {}

    private final SequencedMap<String, Tensor> byName;
    private final Tensor embedTokens;
    private final List<Layer> layers;
    private final Tensor finalNorm;
    private final Tensor lmHead;

    private Qwen2Weights(SequencedMap<String, Tensor> byName, int numLayers, boolean tied) {
        this.byName = Collections.unmodifiableSequencedMap(byName);
        this.embedTokens = byName.get(EMBED_TOKENS);
        List<Layer> ls = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            String p = layerPrefix(i);
            ls.add(new Layer(byName.get(p + "input_layernorm.weight"),
                    byName.get(p + "self_attn.q_proj.weight"), byName.get(p + "self_attn.q_proj.bias"),
                    byName.get(p + "self_attn.k_proj.weight"), byName.get(p + "self_attn.k_proj.bias"),
                    byName.get(p + "self_attn.v_proj.weight"), byName.get(p + "self_attn.v_proj.bias"),
                    byName.get(p + "self_attn.o_proj.weight"), byName.get(p + "post_attention_layernorm.weight"),
                    byName.get(p + "mlp.gate_proj.weight"), byName.get(p + "mlp.up_proj.weight"),
                    byName.get(p + "mlp.down_proj.weight")));
        }
        this.layers = List.copyOf(ls);
        this.finalNorm = byName.get(FINAL_NORM);
        this.lmHead = tied ? embedTokens : byName.get(LM_HEAD);
    }

    static String layerPrefix(int layer) {
        return "model.layers." + layer + ".";
    }

    /**
     * Every weight the config implies, in Hugging Face's order (embeddings, layers, final norm, lm_head when untied),
     * with its shape.
     */
    public static SequencedMap<String, int[]> expectedShapes(Qwen2Config c) {
        int hidden = c.hiddenSize(), inter = c.intermediateSize(), vocab = c.vocabSize();
        int qOut = c.numAttentionHeads() * c.headDim(), kvOut = c.numKeyValueHeads() * c.headDim();
        SequencedMap<String, int[]> s = new LinkedHashMap<>();
        s.put(EMBED_TOKENS, new int[]{vocab, hidden});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = layerPrefix(i);
            s.put(p + "self_attn.q_proj.weight", new int[]{qOut, hidden});
            s.put(p + "self_attn.q_proj.bias", new int[]{qOut});
            s.put(p + "self_attn.k_proj.weight", new int[]{kvOut, hidden});
            s.put(p + "self_attn.k_proj.bias", new int[]{kvOut});
            s.put(p + "self_attn.v_proj.weight", new int[]{kvOut, hidden});
            s.put(p + "self_attn.v_proj.bias", new int[]{kvOut});
            s.put(p + "self_attn.o_proj.weight", new int[]{hidden, qOut});
            s.put(p + "mlp.gate_proj.weight", new int[]{inter, hidden});
            s.put(p + "mlp.up_proj.weight", new int[]{inter, hidden});
            s.put(p + "mlp.down_proj.weight", new int[]{hidden, inter});
            s.put(p + "input_layernorm.weight", new int[]{hidden});
            s.put(p + "post_attention_layernorm.weight", new int[]{hidden});
        }
        s.put(FINAL_NORM, new int[]{hidden});
        if (!c.tieWordEmbeddings()) s.put(LM_HEAD, new int[]{vocab, hidden});
        return s;
    }

    /**
     * Owned F32 copies of {@code source}'s weights (F32 or BF16), checked against the config: every expected name
     * present with its exact shape, no unknown names (a tied model's {@code lm_head.weight} excepted, see the class
     * comment). The source tensors are only read.
     */
    public static Qwen2Weights load(Qwen2Config config, Map<String, Tensor> source) {
        return load(config, source.keySet(), source::get);
    }

    /** {@link #load} from a checkpoint's tensors: F32, BF16, or F16 (converted on read). */
    public static Qwen2Weights load(Qwen2Config config, SafetensorsCheckpoint checkpoint) {
        return load(config, checkpoint.names(), name -> checkpoint.entry(name).dtype() == SafetensorsDType.F16
                ? checkpoint.loadF16AsF32(name) : checkpoint.tensor(name));
    }

    private static Qwen2Weights load(Qwen2Config config, Set<String> available, Function<String, Tensor> read) {
        SequencedMap<String, int[]> expected = expectedShapes(config);
        List<String> unknown = new ArrayList<>();
        for (String name : available) {
            if (!expected.containsKey(name) && !(config.tieWordEmbeddings() && name.equals(LM_HEAD))) unknown.add(name);
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Qwen2Weights.load: unexpected weights " + new TreeSet<>(unknown)
                    + " for a Qwen2 with " + config.numHiddenLayers() + " layers"
                    + (config.tieWordEmbeddings() ? " and tied embeddings" : ""));
        }
        SequencedMap<String, Tensor> loaded = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            String name = e.getKey();
            if (!available.contains(name)) {
                throw new IllegalArgumentException("Qwen2Weights.load: missing weight " + name + " of shape "
                        + Arrays.toString(e.getValue()));
            }
            // One weight at a time in its own scope: conversion temporaries (BF16 or F16 -> F32) die at once.
            try (var noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
                Tensor t = read.apply(name);
                if (!Arrays.equals(t.shape(), e.getValue())) {
                    throw new IllegalArgumentException("Qwen2Weights.load: weight " + name + " has shape "
                            + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
                }
                if (t.dtype() != DType.F32 && t.dtype() != DType.BF16) {
                    throw new IllegalArgumentException("Qwen2Weights.load: weight " + name + " is " + t.dtype()
                            + ", expected F32 or BF16");
                }
                // Host weights (a checkpoint, arrays) land on the default device, so that loading under
                // DefaultDevice.use(device) builds the model there; weights already on a device stay on it.
                Tensor f32 = Casts.to(t, DType.F32);
                Tensor owned = OwnedTensors.empty(t.device().isCpu() ? DefaultDevice.current() : t.device(), DType.F32, t.shape());
                Views.copyInto(owned, f32);
                loaded.put(name, owned.named(name));
            }
        }
        return new Qwen2Weights(loaded, config.numHiddenLayers(), config.tieWordEmbeddings());
    }

    /**
     * These weights with the vocabulary dimension resized to {@code resized.vocabSize()} rows, as Hugging Face's
     * {@code resize_token_embeddings} does: the embedding matrix (and lm_head when untied) keeps its first
     * min(old, new) rows unchanged; rows beyond the old size are drawn N(0, initializerRange^2) from
     * {@code SplittableRandom(seed)}, embedding rows first, then lm_head rows, row-major. (HF's default since 4.46,
     * {@code mean_resizing}, draws from the old rows' mean and covariance instead; N(0, initializerRange^2) is its
     * {@code _init_weights}, the behaviour with {@code mean_resizing=False}.) Shrinking drops the last rows: LatentR3
     * shrinks Qwen2.5's 151,936 rows to 151,666, so there its thought row is an existing, untrained row.
     * With tied embeddings the one new matrix is both embed_tokens and lm_head. Every other tensor is shared with
     * these weights, not copied; the resized matrices keep the old ones' requiresGrad.
     */
    Qwen2Weights withVocabulary(Qwen2Config resized, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double std = resized.initializerRange();
        SequencedMap<String, Tensor> out = new LinkedHashMap<>(byName);
        out.put(EMBED_TOKENS, resizedRows(EMBED_TOKENS, embedTokens, resized.vocabSize(), random, std));
        if (!resized.tieWordEmbeddings()) out.put(LM_HEAD, resizedRows(LM_HEAD, lmHead, resized.vocabSize(), random, std));
        return new Qwen2Weights(out, resized.numHiddenLayers(), resized.tieWordEmbeddings());
    }

    private static Tensor resizedRows(String name, Tensor old, int rows, SplittableRandom random, double std) {
        int oldRows = old.size(0), width = old.size(1), keep = Math.min(oldRows, rows);
        Tensor out = OwnedTensors.empty(old.device(), DType.F32, rows, width).named(name);
        try (var noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            Views.copyInto(out.slice(0, 0, keep), old.slice(0, 0, keep));
            if (rows > keep) {
                float[] fresh = new float[Math.multiplyExact(rows - keep, width)];
                for (int i = 0; i < fresh.length; i++) fresh[i] = (float) (std * random.nextGaussian());
                Views.copyInto(out.slice(0, keep, rows), Tensor.of(fresh, rows - keep, width));
            }
        }
        return out.requiresGrad(old.requiresGrad());
    }

    /** Weights in Hugging Face's order, lm_head absent when tied. */
    public SequencedMap<String, Tensor> byName() {
        return byName;
    }

    public Tensor embedTokens() {
        return embedTokens;
    }

    public List<Layer> layers() {
        return layers;
    }

    public Tensor finalNorm() {
        return finalNorm;
    }

    /** The output projection [vocab, hidden]: the embedding matrix itself when tied. */
    public Tensor lmHead() {
        return lmHead;
    }

    /** Bytes of weight memory (F32, each tied matrix counted once). */
    public long byteSize() {
        return byName.values().stream().mapToLong(t -> t.numel() * t.dtype().byteSize()).sum();
    }
}
