package dev.latentr3.model.latent;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.model.qwen2.KvCache;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * A Qwen2 LLM with LatentR3's latent reasoning tokens (method doc §1.3, §10.1): every row of the input holds N
 * {@code <|Thought|>} tokens (N = 1 in the paper's experiments), and the input embedding at each is replaced by a
 * latent computed by {@link LatentRATT} from the LLM's own last-layer hidden states:
 * <pre>
 *   r_i = LatentRATT(H_{i-1}) at the thought position t_i,  H_{i-1} = LLM(x with r_1..r_{i-1} injected)
 * </pre>
 * then the LLM runs over the input with all N latents injected. For N = 1 this is exactly the reference's
 * {@code generate_embs} followed by the normal forward. For N > 1 the latents are autoregressive, as the paper
 * defines them (the reference code cannot do this): r_i's keys and values include the earlier latents' hidden
 * states (how the paper's N-ablation treated them is unconfirmed; this is the plain reading of "LatentRATT(H_{i-1})").
 *
 * <p>Savings over the reference, none changing the result: a pass that builds r_i runs only over the positions
 * before the latest thought token of the batch (hidden states there do not depend on later tokens, the LLM being
 * causal) and computes no logits; the final pass computes logits only where asked. Gradients flow through every
 * pass, into the LLM's weights too when they require grad (the reference's SFT trains both).
 */
public final class LatentModel {
    private final Qwen2ForCausalLM llm;
    private final LatentRATT attention;
    private final int thoughtId;

    /** thoughtId must be the LLM's last vocabulary row (see {@link ThoughtToken#install}), as the reference asserts. */
    public LatentModel(Qwen2ForCausalLM llm, LatentRATT attention, int thoughtId) {
        int rows = llm.config().vocabSize();
        if (thoughtId != rows - 1) {
            throw new IllegalArgumentException("LatentModel: the thought id " + thoughtId + " must be the last of the "
                    + rows + " vocabulary rows (resize the embeddings to the tokenizer's size after adding it)");
        }
        if (attention.hiddenSize() != llm.config().hiddenSize()) {
            throw new IllegalArgumentException("LatentModel: LatentRATT of size " + attention.hiddenSize()
                    + " for an LLM of hidden size " + llm.config().hiddenSize());
        }
        this.llm = llm;
        this.attention = attention;
        this.thoughtId = thoughtId;
    }

    public Qwen2ForCausalLM llm() {
        return llm;
    }

    public LatentRATT attention() {
        return attention;
    }

    public int thoughtId() {
        return thoughtId;
    }

    /**
     * The input embeddings with the latents injected, and the latents.
     *
     * @param embeddings F32 [B, L, d]: the token embeddings with each thought row replaced by its injected latent
     * @param latents    F32 [B, N, d]: each r_i as LatentRATT computed it (before noise)
     * @param injected   F32 [B, N, d]: what was written into the embeddings, r_i + sigma * eps_i
     * @param eps        F32 [B, N, d]: the noise used, or null without noise
     */
    public record Injection(Tensor embeddings, Tensor latents, Tensor injected, Tensor eps) {}

    /** What {@link #forward} returns: the final pass's output and the injection it ran on. */
    public record Output(Qwen2Output output, Injection injection) {}

    /**
     * The reference's {@code generate_embs}, generalised to N autoregressive latents: ids I32 [B, L] with N thought
     * tokens per row, attention mask I32 [B, L] (null: no padding; left or right). With noise, each r_i is perturbed
     * before it is injected, and later latents are computed from the perturbed ones (a sampled trajectory).
     */
    public Injection inject(Tensor ids, Tensor mask, LatentNoise noise) {
        ThoughtPositions thoughts = ThoughtPositions.find(ids, mask, thoughtId);
        int b = thoughts.batch(), n = thoughts.latents(), l = ids.size(1), d = attention.hiddenSize();
        Tensor eps = noise.isNone() ? null : noise.epsFor(b, n, d);
        int[] idArray = ids.toIntArray(), maskArray = mask == null ? null : mask.toIntArray();
        List<Tensor> clean = new ArrayList<>(), injected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int prefix = thoughts.prefixFor(i);
            Tensor prefixMask = maskArray == null ? null : columns(maskArray, b, l, prefix);
            Tensor embeds = withLatents(llm.embed(columns(idArray, b, l, prefix)), thoughts, injected);
            Tensor hidden = llm.forwardEmbeddings(embeds, prefixMask, null, LogitPositions.none()).lastHidden();
            Tensor r = attention.forward(hidden, prefixMask, thoughts.column(i));
            clean.add(r);
            injected.add(noise.addsNothing() ? r : r.add(noise.applyTo(Views.slice(eps, 1, i, i + 1).reshape(b, d))));
        }
        Tensor embeddings = withLatents(llm.embed(ids), thoughts, injected);
        return new Injection(embeddings, stack(clean, b, d), stack(injected, b, d), eps);
    }

    /**
     * The latent forward: {@link #inject}, then the LLM over the injected embeddings with logits at
     * {@code logitPositions} (the logits at the last thought token predict the answer's first token).
     */
    public Output forward(Tensor ids, Tensor mask, LogitPositions logitPositions, LatentNoise noise) {
        Injection injection = inject(ids, mask, noise);
        return new Output(llm.forwardEmbeddings(injection.embeddings(), mask, null, logitPositions), injection);
    }

    /**
     * Inference (method doc §4, §10.3): prompts ids I32 [P, L] ending in their N thought tokens, left-padded (mask
     * I32 [P, L] or null), run once with their latents injected and no noise, ready for {@code maxNewTokens} steps of
     * P * rowsPerPrompt rows, e.g. BeamSearch with a LogitsProcessor over the catalogue trie.
     *
     * <p>Cheaper than the reference's two full prompt passes (doc §11.7, §11.10): the prompt before the thought
     * tokens runs once, into the KV cache; r_i comes from its hidden states (and the earlier latents'), then each
     * latent runs as one cached step. The cache then holds what a full pass with the latents injected would put
     * there, and the last step's logits are those at the last thought position. Not recorded for autograd.
     */
    public Qwen2Decoder startDecoding(Tensor promptIds, Tensor promptMask, int rowsPerPrompt,
                                                               int maxNewTokens) {
        ThoughtPositions thoughts = ThoughtPositions.find(promptIds, promptMask, thoughtId);
        if (!thoughts.atTheEnd()) {
            throw new IllegalArgumentException("LatentModel.startDecoding: every prompt of " + promptIds.describe()
                    + " must end with its " + thoughts.latents() + " thought tokens (left padding)");
        }
        int p = thoughts.batch(), n = thoughts.latents(), l = promptIds.size(1), prefix = l - n;
        int[] idArray = promptIds.toIntArray();
        int[] maskArray = promptMask == null ? ones(p * l) : promptMask.toIntArray();
        try (var noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open();
             KvCache prefill = llm.newCache(p, l)) {
            Qwen2Output out = llm.forwardCached(columns(idArray, p, l, prefix), columns(maskArray, p, l, prefix), prefill,
                    LogitPositions.none());
            Tensor hidden = out.lastHidden();
            for (int i = 0; i < n; i++) {
                int t = prefix + i;
                Tensor r = attention.forward(hidden, columns(maskArray, p, l, t), thoughts.column(i));
                out = llm.forwardCachedEmbeddings(r.reshape(p, 1, attention.hiddenSize()), column(maskArray, p, l, t),
                        prefill, i == n - 1 ? LogitPositions.all(p, 1) : LogitPositions.none());
                hidden = Views.concat(1, hidden, out.lastHidden());
            }
            return Qwen2Decoder.resume(llm, prefill, out.logits().toFloatArray(), rowsPerPrompt,
                    maxNewTokens);
        }
    }

    /** The LLM's parameters then LatentRATT's, by name. */
    public SequencedMap<String, Tensor> namedParameters() {
        SequencedMap<String, Tensor> all = new LinkedHashMap<>(llm.namedParameters());
        all.putAll(attention.namedParameters());
        return all;
    }

    /** embeds [B, W, d] with r_i of each row written at its i-th thought position, for every latent given so far. */
    private static Tensor withLatents(Tensor embeds, ThoughtPositions thoughts, List<Tensor> latents) {
        if (latents.isEmpty()) return embeds;
        int b = embeds.size(0), w = embeds.size(1), d = embeds.size(2), count = latents.size();
        Tensor values = stack(latents, b, d).reshape(b * count, d);
        return Indexing.indexPut(embeds.reshape(b * w, d), thoughts.flatRows(count, w), values).reshape(b, w, d);
    }

    /** [B, d] latents stacked into [B, N, d] (b-major, so that row b * N + i of its flattening is r_i of row b). */
    private static Tensor stack(List<Tensor> latents, int b, int d) {
        if (latents.size() == 1) return latents.get(0).reshape(b, 1, d);
        Tensor[] parts = new Tensor[latents.size()];
        for (int i = 0; i < parts.length; i++) parts[i] = latents.get(i).reshape(b, 1, d);
        return Views.concat(1, parts);
    }

    /** The first {@code width} columns of an int [rows, l] array, as I32 [rows, width]. */
    private static Tensor columns(int[] a, int rows, int l, int width) {
        int[] out = new int[rows * width];
        for (int r = 0; r < rows; r++) System.arraycopy(a, r * l, out, r * width, width);
        return Tensor.ofInts(out, rows, width);
    }

    /** Column j of an int [rows, l] array, as I32 [rows, 1]. */
    private static Tensor column(int[] a, int rows, int l, int j) {
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) out[r] = a[r * l + j];
        return Tensor.ofInts(out, rows, 1);
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }
}
