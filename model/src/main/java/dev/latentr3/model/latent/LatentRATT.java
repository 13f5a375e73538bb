package dev.latentr3.model.latent;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Attention;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Ops;
import dev.latentr3.engine.ops.Rope;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.engine.memory.OwnedTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SplittableRandom;

/**
 * LatentR3's latent read-out, exactly as the reference code's {@code SelfAttentionLayer} computes it (method doc
 * §1.2): one attention head over the LLM's final-normed last-layer hidden states H [B, L, d], whose output at the
 * position before each row's thought token t is the latent r in R^d:
 * <pre>
 *   q = RoPE(Wq h[t-1] + bq, t-1),  K = RoPE(Wk H + bk, arange),  V = Wv H + bv
 *   r = softmax(q K^T / sqrt(d) over keys j < t with mask[j] = 1) V
 * </pre>
 * with its own RoPE: base 1000 over the full d (rotate-half: dimension j pairs with j + d/2), positions the plain
 * index along the sequence, padding included (RoPE is relative, so left padding does not change r). There is no
 * output projection, residual, norm or head split. The reference casts r to bf16; here everything stays F32.
 *
 * <p>Only what r needs is computed: the query projection at the B query positions, keys and values over the first
 * max(t) positions. Every step is an engine op, so gradients reach the weights and H through autograd.
 *
 * <p>Parameters, named {@code latent_attention.{query,key,value}.{weight,bias}}; in the reference's state dict the
 * same tensors are {@code attention.{query,key,value}.{weight,bias}} (its LatentModel's {@code attention} module,
 * PyTorch Linear layout: weight [out, in]). An optional scalar {@code latent_attention.gate} (an ablation, off by
 * default) multiplies r.
 */
public final class LatentRATT {
    public static final String PREFIX = "latent_attention.";
    /** The reference implementation's name prefix for the same parameters. */
    public static final String REFERENCE_PREFIX = "attention.";
    public static final double ROPE_BASE = 1000.0;
    private static final List<String> PROJECTIONS = List.of("query", "key", "value");
    /**
     * The optional learned scalar gate's name (not part of the method or the reference): r is multiplied by it. Absent
     * by default; see {@link #withGate}.
     */
    public static final String GATE = PREFIX + "gate";

    private final int hidden;
    private final SequencedMap<String, Tensor> byName;
    private final Tensor wq, bq, wk, bk, wv, bv;
    private final Tensor gate; // F32 [1], or null: r as the method defines it

    private LatentRATT(int hidden, SequencedMap<String, Tensor> byName) {
        this.hidden = hidden;
        this.byName = Collections.unmodifiableSequencedMap(byName);
        this.wq = byName.get(PREFIX + "query.weight");
        this.bq = byName.get(PREFIX + "query.bias");
        this.wk = byName.get(PREFIX + "key.weight");
        this.bk = byName.get(PREFIX + "key.bias");
        this.wv = byName.get(PREFIX + "value.weight");
        this.bv = byName.get(PREFIX + "value.bias");
        this.gate = byName.get(GATE);
    }

    /**
     * An ablation option, off in the method: this LatentRATT (sharing its weights) with a learned scalar gate g,
     * initialised to {@code init}, so that r becomes g * r. Trained from scratch, r's RMS grows to ~10-20x the token
     * embeddings' and dominates the input at the thought position; a small g starts it at the embeddings' scale.
     * The gate is a parameter (saved, loaded, trained by SFT and RL like the others).
     */
    public LatentRATT withGate(double init) {
        if (gate != null) throw new IllegalStateException("LatentRATT: already has a gate");
        if (!(init > 0) || !Double.isFinite(init)) {
            throw new IllegalArgumentException("LatentRATT: the gate's initial value must be positive and finite, got " + init);
        }
        SequencedMap<String, Tensor> all = new LinkedHashMap<>(byName);
        try (var noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            all.put(GATE, OwnedTensors.copyOf(Tensor.of(new float[]{(float) init}, 1)).named(GATE));
        }
        return new LatentRATT(hidden, all);
    }

    /** Whether r is multiplied by a learned gate ({@link #withGate}). */
    public boolean gated() {
        return gate != null;
    }

    /**
     * Freshly initialised, as Hugging Face's Qwen2 {@code _init_weights} initialises the reference's layer (it is
     * absent from the checkpoint): weights N(0, std^2) (std = the LLM config's initializer_range, 0.02 for Qwen2.5),
     * biases 0. Weights are drawn from {@code SplittableRandom(seed)} in the order query, key, value, row-major.
     */
    public static LatentRATT initialize(int hidden, double std, long seed) {
        if (hidden <= 0 || hidden % 2 != 0) {
            throw new IllegalArgumentException("LatentRATT: hidden size " + hidden + " must be positive and even (RoPE rotates pairs)");
        }
        SplittableRandom random = new SplittableRandom(seed);
        SequencedMap<String, Tensor> byName = new LinkedHashMap<>();
        try (var noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            for (String p : PROJECTIONS) {
                float[] w = new float[Math.multiplyExact(hidden, hidden)];
                for (int i = 0; i < w.length; i++) w[i] = (float) (std * random.nextGaussian());
                byName.put(PREFIX + p + ".weight", OwnedTensors.copyOf(Tensor.of(w, hidden, hidden)).named(PREFIX + p + ".weight"));
                byName.put(PREFIX + p + ".bias", OwnedTensors.copyOf(Tensor.zeros(hidden)).named(PREFIX + p + ".bias"));
            }
        }
        return new LatentRATT(hidden, byName);
    }

    /**
     * Owned F32 copies of saved parameters under {@link #PREFIX} names (or the reference's {@link #REFERENCE_PREFIX}
     * names), checked for completeness and shape; other entries of the map are ignored.
     */
    public static LatentRATT load(int hidden, Map<String, Tensor> source, String prefix) {
        SequencedMap<String, Tensor> byName = new LinkedHashMap<>();
        for (String p : PROJECTIONS) {
            for (String part : List.of("weight", "bias")) {
                String name = prefix + p + "." + part;
                Tensor t = source.get(name);
                int[] shape = part.equals("weight") ? new int[]{hidden, hidden} : new int[]{hidden};
                if (t == null || t.dtype() != DType.F32 || !Arrays.equals(t.shape(), shape)) {
                    throw new IllegalArgumentException("LatentRATT.load: expected " + name + " F32 "
                            + Arrays.toString(shape) + ", found " + (t == null ? "nothing" : t.describe()));
                }
                try (var noGrad = GradMode.noGrad()) {
                    byName.put(PREFIX + p + "." + part, OwnedTensors.copyOf(t).named(PREFIX + p + "." + part));
                }
            }
        }
        Tensor g = source.get(prefix + "gate");
        if (g != null) {
            if (g.dtype() != DType.F32 || !Arrays.equals(g.shape(), new int[]{1})) {
                throw new IllegalArgumentException("LatentRATT.load: expected " + prefix + "gate F32 [1], found " + g.describe());
            }
            try (var noGrad = GradMode.noGrad()) {
                byName.put(GATE, OwnedTensors.copyOf(g).named(GATE));
            }
        }
        return new LatentRATT(hidden, byName);
    }

    /**
     * The latent of each row: r [B, d] from hidden states H F32 [B, L, d], mask I32 [B, L] (1 = real token; null:
     * none) and each row's thought position t (1 <= t <= L): the query is position t - 1, which must be a real
     * token; the keys are the real positions before t.
     */
    public Tensor forward(Tensor hiddenStates, Tensor mask, int[] thought) {
        String op = "LatentRATT";
        if (hiddenStates.dim() != 3 || hiddenStates.size(2) != hidden || hiddenStates.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": hidden states must be F32 [batch, length, " + hidden + "], got "
                    + hiddenStates.describe());
        }
        int b = hiddenStates.size(0), l = hiddenStates.size(1);
        if (thought.length != b) {
            throw new IllegalArgumentException(op + ": " + thought.length + " thought positions for hidden states "
                    + hiddenStates.describe());
        }
        int[] m = null;
        if (mask != null) {
            Ops.requireDType(op, "mask", mask, DType.I32);
            if (mask.dim() != 2 || mask.size(0) != b || mask.size(1) != l) {
                throw new IllegalArgumentException(op + ": mask " + mask.describe() + " must be [" + b + ", " + l + "]");
            }
            m = mask.toIntArray();
        }
        int keys = 0;
        int[] queryRows = new int[b], queryPositions = new int[b];
        for (int row = 0; row < b; row++) {
            int t = thought[row];
            if (t < 1 || t > l || (m != null && m[row * l + t - 1] == 0)) {
                throw new IllegalArgumentException(op + ": row " + row + "'s thought position " + t + " needs a real token"
                        + " at position " + (t - 1) + " of hidden states " + hiddenStates.describe() + " (the query)");
            }
            queryRows[row] = row * l + t - 1;
            queryPositions[row] = t - 1;
            keys = Math.max(keys, t);
        }
        int[] keyMask = new int[b * keys];
        for (int row = 0; row < b; row++) {
            for (int j = 0; j < thought[row]; j++) keyMask[row * keys + j] = m == null ? 1 : m[row * l + j] != 0 ? 1 : 0;
        }
        int[] arange = new int[keys];
        for (int j = 0; j < keys; j++) arange[j] = j;

        Tensor atQuery = Indexing.embedding(hiddenStates.reshape(b * l, hidden), Tensor.ofInts(queryRows, b));
        Tensor q = Rope.apply(MatMul.linear(atQuery, wq, bq).reshape(b, 1, 1, hidden),
                Tensor.ofInts(queryPositions, b, 1), hidden, ROPE_BASE);
        Tensor before = keys == l ? hiddenStates : Views.slice(hiddenStates, 1, 0, keys);
        Tensor positions = Tensor.ofInts(arange, keys);
        Tensor k = Rope.apply(MatMul.linear(before, wk, bk).reshape(b, keys, 1, hidden), positions, hidden, ROPE_BASE);
        Tensor v = MatMul.linear(before, wv, bv).reshape(b, keys, 1, hidden);
        // One head of size d: sdpa's default scale 1/sqrt(head size) is the reference's 1/sqrt(d).
        Tensor r = Attention.sdpa(q, k, v, false, Tensor.ofInts(keyMask, b, keys), Float.NaN).reshape(b, hidden);
        return gate == null ? r : r.mul(gate);
    }

    public int hiddenSize() {
        return hidden;
    }

    /** The six parameters under {@link #PREFIX} names: query, key, value; weight then bias (then the gate, if any). */
    public SequencedMap<String, Tensor> namedParameters() {
        return byName;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(byName.values());
    }

    public LatentRATT requiresGrad(boolean value) {
        for (Tensor t : byName.values()) t.requiresGrad(value);
        return this;
    }
}
