package dev.latentr3.model.qwen2;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.ops.Activations;
import dev.latentr3.engine.ops.Attention;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Norms;
import dev.latentr3.engine.ops.Ops;
import dev.latentr3.engine.ops.Rope;
import dev.latentr3.model.checkpoint.SafetensorsCheckpoint;
import dev.latentr3.model.config.Qwen2Config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Predicate;

/**
 * Qwen2 / Qwen2.5 decoder with its language-model head, as Hugging Face's {@code Qwen2ForCausalLM} defines it:
 * token embedding; per layer, x + o_proj(attention(RMSNorm(x))) then h + down_proj(silu(gate_proj(.)) * up_proj(.))
 * of RMSNorm(h); a final RMSNorm; lm_head (the embedding matrix when tied). Attention is grouped-query with q/k/v
 * biases, rotary positions (rotate-half over the full head dimension, theta from the config), causal, with a
 * key-padding mask. Every step is a named engine op, so backward comes from autograd.
 *
 * <p>Inputs: ids I32 [B, L] (or embeddings F32 [B, L, hidden], so that a caller can replace rows of them), an
 * attention mask I32 [B, L] with 1 for real tokens and 0 for padding (left or right), and RoPE positions.
 * Default positions are {@link #defaultPositions}: each real token's index among its row's real tokens, which is
 * what Hugging Face's generate passes as position_ids for a padded batch (cumsum(mask) - 1, padding set to 1), so a
 * left-padded row computes what it would unpadded. A query that can see no real key (left padding) gets attention
 * output 0 (the engine's convention; such rows are never read by real tokens).
 *
 * <p>Weights are owned F32 copies (see {@link Qwen2Weights}); {@link #namedParameters()} lists them under their
 * Hugging Face names. They do not require grad until {@link #requiresGrad(boolean)} or {@link #freeze} says so.
 */
public final class Qwen2ForCausalLM {
    private final Qwen2Config config;
    private final Qwen2Weights weights;

    public Qwen2ForCausalLM(Qwen2Config config, Qwen2Weights weights) {
        this.config = config;
        this.weights = weights;
    }

    /** A model from weights under their Hugging Face names (F32 or BF16; converted and copied, see Qwen2Weights). */
    public static Qwen2ForCausalLM load(Qwen2Config config, Map<String, Tensor> weights) {
        return new Qwen2ForCausalLM(config, Qwen2Weights.load(config, weights));
    }

    /** A model from a Hugging Face folder: config.json and model.safetensors (or its sharded index). */
    public static Qwen2ForCausalLM load(Path folder) throws IOException {
        Qwen2Config config = Qwen2Config.load(folder.resolve("config.json"));
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(folder)) {
            return new Qwen2ForCausalLM(config, Qwen2Weights.load(config, checkpoint));
        }
    }

    public Qwen2Config config() {
        return config;
    }

    public Qwen2Weights weights() {
        return weights;
    }

    /**
     * A model whose vocabulary has {@code rows} entries: Hugging Face's {@code resize_token_embeddings(rows)}, used
     * after adding tokens to the tokenizer (rows = the tokenizer's new vocabSize). Old rows are kept, new ones drawn
     * N(0, initializerRange^2) from {@code seed}; see {@link Qwen2Weights#withVocabulary}. The new model shares all
     * other weights with this one, so this one should be dropped: resize once, before training.
     */
    public Qwen2ForCausalLM resizeTokenEmbeddings(int rows, long seed) {
        Qwen2Config c = config;
        Qwen2Config resized = new Qwen2Config(rows, c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
                c.numAttentionHeads(), c.numKeyValueHeads(), c.maxPositionEmbeddings(), c.ropeTheta(), c.rmsNormEps(),
                c.tieWordEmbeddings(), c.torchDtype(), c.bosTokenId(), c.eosTokenId(), c.initializerRange());
        return new Qwen2ForCausalLM(resized, weights.withVocabulary(resized, seed));
    }

    // ---------------------------------------------------------------- forward

    /** Forward from token ids I32 [B, L]; attentionMask I32 [B, L] or null (no padding); default positions. */
    public Qwen2Output forward(Tensor inputIds, Tensor attentionMask, LogitPositions logitPositions) {
        return forwardEmbeddings(embed(inputIds), attentionMask, null, logitPositions);
    }

    /** The input embeddings [B, L, hidden] of ids I32 [B, L]: a caller may replace rows, then call forwardEmbeddings. */
    public Tensor embed(Tensor inputIds) {
        if (inputIds.dim() != 2) {
            throw new IllegalArgumentException("Qwen2: input ids must be [batch, length], got " + inputIds.describe());
        }
        return Indexing.embedding(weights.embedTokens(), inputIds);
    }

    /**
     * Forward from input embeddings F32 [B, L, hidden].
     *
     * @param attentionMask  I32 [B, L], 1 = real token, 0 = padding; null means no padding
     * @param positions      I32 [B, L] RoPE positions, or null for {@link #defaultPositions}
     * @param logitPositions which (row, position) pairs get logits
     */
    public Qwen2Output forwardEmbeddings(Tensor inputsEmbeds, Tensor attentionMask, Tensor positions,
                                        LogitPositions logitPositions) {
        checkEmbeddings(inputsEmbeds);
        int b = inputsEmbeds.size(0), l = inputsEmbeds.size(1);
        if (attentionMask != null) checkBatchShaped("attention mask", attentionMask, b, l);
        Tensor pos = positions != null ? positions
                : attentionMask != null ? defaultPositions(attentionMask)
                : defaultPositions(Tensor.ofInts(ones(b * l), b, l).to(inputsEmbeds.device()));
        checkBatchShaped("positions", pos, b, l);
        return decoder(inputsEmbeds, attentionMask, pos, logitPositions, null);
    }

    /**
     * Incremental decoding: runs the new tokens ids I32 [B, L] after those already in {@code cache}, appending
     * theirs to it. newMask I32 [B, L] marks the new tokens' padding (null: none); positions continue each row's
     * count of real tokens. Not recorded for autograd. Logit positions index the new tokens.
     */
    public Qwen2Output forwardCached(Tensor inputIds, Tensor newMask, KvCache cache, LogitPositions logitPositions) {
        try (var noGrad = GradMode.noGrad()) {
            return forwardCachedEmbeddings(embed(inputIds), newMask, cache, logitPositions);
        }
    }

    /** {@link #forwardCached} from input embeddings F32 [B, L, hidden]. */
    public Qwen2Output forwardCachedEmbeddings(Tensor inputsEmbeds, Tensor newMask, KvCache cache,
                                              LogitPositions logitPositions) {
        checkEmbeddings(inputsEmbeds);
        int b = inputsEmbeds.size(0), l = inputsEmbeds.size(1);
        if (cache.batch() != b) {
            throw new IllegalArgumentException("Qwen2: a KV cache for batch " + cache.batch() + " cannot take inputs "
                    + inputsEmbeds.describe());
        }
        Tensor mask = newMask != null ? newMask : Tensor.ofInts(ones(b * l), b, l);
        checkBatchShaped("attention mask", mask, b, l);
        cache.requireRoom(l);
        try (var noGrad = GradMode.noGrad()) {
            Tensor positions = cache.nextPositions(mask);
            cache.writeMask(mask);
            Qwen2Output out = decoder(inputsEmbeds, mask, positions, logitPositions, cache);
            cache.advance(mask);
            return out;
        }
    }

    /** A KV cache for {@code batch} rows of up to {@code capacity} tokens (prompt and generated, padding included). */
    public KvCache newCache(int batch, int capacity) {
        return new KvCache(config, batch, capacity, weights.embedTokens().device());
    }

    /**
     * Positions I32 [B, L] from an attention mask I32 [B, L]: cumsum(mask) - 1 along each row, with padding at 1
     * (Hugging Face's choice; padding is masked out, so its value only has to be a valid position).
     */
    public static Tensor defaultPositions(Tensor attentionMask) {
        Ops.requireDType("Qwen2.defaultPositions", "attention mask", attentionMask, DType.I32);
        Ops.requireRank("Qwen2.defaultPositions", "attention mask", attentionMask, 2);
        int b = attentionMask.size(0), l = attentionMask.size(1);
        int[] m = attentionMask.toIntArray(), p = new int[m.length];
        for (int row = 0; row < b; row++) {
            int seen = 0;
            for (int t = 0; t < l; t++) {
                int i = row * l + t;
                p[i] = m[i] != 0 ? seen++ : 1;
            }
        }
        return Tensor.ofInts(p, b, l).to(attentionMask.device()); // computed on the host, used where the mask lives
    }

    /** The decoder stack, final norm and the requested logits; keyMask I32 [B, L] or null. */
    private Qwen2Output decoder(Tensor x, Tensor keyMask, Tensor positions, LogitPositions logitPositions, KvCache cache) {
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            x = decoderLayer(i, x, keyMask, positions, cache);
        }
        Tensor hidden = Norms.rmsNorm(x, weights.finalNorm(), eps());
        return new Qwen2Output(hidden, logits(hidden, logitPositions));
    }

    /** Pre-norm residual block: h = x + attention(norm(x)); out = h + mlp(norm(h)). */
    private Tensor decoderLayer(int i, Tensor x, Tensor keyMask, Tensor positions, KvCache cache) {
        Qwen2Weights.Layer w = weights.layers().get(i);
        Tensor h = x.add(selfAttention(i, w, Norms.rmsNorm(x, w.inputLayernorm(), eps()), keyMask, positions, cache));
        return h.add(mlp(w, Norms.rmsNorm(h, w.postAttentionLayernorm(), eps())));
    }

    /** Causal grouped-query attention over x [B, L, hidden]; with a cache, over the cached tokens and these. */
    private Tensor selfAttention(int i, Qwen2Weights.Layer w, Tensor x, Tensor keyMask, Tensor positions, KvCache cache) {
        int b = x.size(0), l = x.size(1), d = config.headDim();
        int heads = config.numAttentionHeads(), kvHeads = config.numKeyValueHeads();
        Tensor q = MatMul.linear(x, w.qProj(), w.qBias()).reshape(b, l, heads, d);
        Tensor k = MatMul.linear(x, w.kProj(), w.kBias()).reshape(b, l, kvHeads, d);
        Tensor v = MatMul.linear(x, w.vProj(), w.vBias()).reshape(b, l, kvHeads, d);
        q = Rope.apply(q, positions, d, config.ropeTheta());
        k = Rope.apply(k, positions, d, config.ropeTheta());
        if (cache != null) {
            // The new queries are the last l of the cached keys: sdpa's causal offset (Lk - Lq) lines them up.
            cache.write(i, k, v);
            k = cache.keys(i, l);
            v = cache.values(i, l);
            keyMask = cache.mask(l);
        }
        Tensor attended = Attention.sdpa(q, k, v, true, keyMask, Float.NaN);
        return MatMul.linear(attended.reshape(b, l, heads * d), w.oProj(), null);
    }

    /** SwiGLU: down(silu(gate(x)) * up(x)). */
    private static Tensor mlp(Qwen2Weights.Layer w, Tensor x) {
        Tensor gated = Activations.swiglu(MatMul.linear(x, w.gateProj(), null), MatMul.linear(x, w.upProj(), null));
        return MatMul.linear(gated, w.downProj(), null);
    }

    /** Logits [N, vocab] of the requested positions only: the hidden rows are gathered before the projection. */
    private Tensor logits(Tensor hidden, LogitPositions logitPositions) {
        int b = hidden.size(0), l = hidden.size(1), dim = hidden.size(2);
        Tensor rows = hidden.reshape(b * l, dim);
        if (!logitPositions.isAll(b, l)) {
            int[] flat = logitPositions.flatRows(b, l);
            if (flat.length == 0) return Tensor.empty(hidden.device(), 0, config.vocabSize());
            // a row gather, with its scatter-add backward
            rows = Indexing.embedding(rows, Tensor.ofInts(flat, flat.length).to(hidden.device()));
        }
        return MatMul.linear(rows, weights.lmHead(), null);
    }

    private float eps() {
        return (float) config.rmsNormEps();
    }

    private void checkEmbeddings(Tensor e) {
        if (e.dim() != 3 || e.size(2) != config.hiddenSize() || e.dtype() != DType.F32) {
            throw new IllegalArgumentException("Qwen2: input embeddings must be F32 [batch, length, " + config.hiddenSize()
                    + "], got " + e.describe());
        }
        if (e.size(0) == 0 || e.size(1) == 0) {
            throw new IllegalArgumentException("Qwen2: input embeddings " + e.describe() + " are empty");
        }
    }

    private static void checkBatchShaped(String what, Tensor t, int b, int l) {
        Ops.requireDType("Qwen2", what, t, DType.I32);
        if (t.dim() != 2 || t.size(0) != b || t.size(1) != l) {
            throw new IllegalArgumentException("Qwen2: " + what + " " + t.describe() + " must be [" + b + ", " + l
                    + "] like the inputs");
        }
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    // ---------------------------------------------------------------- parameters

    /** Every weight under its Hugging Face name, in checkpoint order (lm_head.weight absent when tied). */
    public SequencedMap<String, Tensor> namedParameters() {
        return weights.byName();
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(weights.byName().values());
    }

    /** Sets requiresGrad on every weight (training the whole model, or none of it). */
    public Qwen2ForCausalLM requiresGrad(boolean value) {
        for (Tensor t : weights.byName().values()) t.requiresGrad(value);
        return this;
    }

    /** Stops gradients for the weights whose names match (e.g. {@code n -> n.startsWith("model.embed_tokens")}). */
    public Qwen2ForCausalLM freeze(Predicate<String> names) {
        weights.byName().forEach((name, t) -> {
            if (names.test(name)) t.requiresGrad(false);
        });
        return this;
    }

    /** Bytes of weight memory: 4 per parameter (F32), a tied embedding counted once. */
    public long byteSize() {
        return weights.byteSize();
    }

    public long parameterCount() {
        return weights.byName().values().stream().mapToLong(Tensor::numel).sum();
    }
}
