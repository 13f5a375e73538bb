package dev.latentr3.train.lm;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.nn.Embedding;
import dev.latentr3.engine.nn.Linear;
import dev.latentr3.engine.nn.Module;
import dev.latentr3.engine.nn.RMSNorm;
import dev.latentr3.engine.ops.Activations;
import dev.latentr3.engine.ops.Attention;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Rope;
import dev.latentr3.engine.random.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * A small decoder-only language model in the shape of Qwen2, reading top to bottom as the architecture does:
 * token embedding; N decoder layers of [RMSNorm, grouped-query self-attention with q/k/v biases and rotary
 * positions, residual add, RMSNorm, SwiGLU MLP, residual add]; a final RMSNorm; an output layer tied to the
 * embedding. Parameter names follow the Hugging Face Qwen2 checkpoint ({@code layers.0.self_attn.q_proj.weight}),
 * without its {@code model.} prefix. Generation goes through {@link TinyLMDecoder}.
 */
public final class TinyTransformerLM extends Module {

    /** The model's sizes. headDim = hidden / heads; each key/value head serves heads / kvHeads query heads. */
    public record Config(int vocabSize, int hidden, int layers, int heads, int kvHeads, int intermediate,
                         double ropeTheta, float normEps, float initStd) {
        public Config {
            if (vocabSize <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || intermediate <= 0) {
                throw new IllegalArgumentException("TinyTransformerLM.Config: all sizes must be positive, got " + this);
            }
            if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0) {
                throw new IllegalArgumentException("TinyTransformerLM.Config: need hidden divisible by heads, heads by kvHeads,"
                        + " and an even head size (rotary pairs), got hidden " + hidden + ", heads " + heads + ", kvHeads " + kvHeads);
            }
        }

        public int headDim() {
            return hidden / heads;
        }

        /** Two layers, 64 wide: trains on a laptop's two cores in about a minute. */
        public static Config tiny(int vocabSize) {
            return new Config(vocabSize, 64, 2, 4, 2, 192, 10_000.0, 1e-6f, 0.02f);
        }
    }

    /** Targets equal to this are not scored (padding). */
    public static final int IGNORE_INDEX = -100;

    private final Config config;
    private final Embedding embedTokens;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final RMSNorm norm;

    public TinyTransformerLM(Config config, Rng rng) {
        this.config = config;
        this.embedTokens = child("embed_tokens", new Embedding(config.vocabSize(), config.hidden(), config.initStd(), rng.fork("embed_tokens")));
        for (int i = 0; i < config.layers(); i++) {
            layers.add(child("layers." + i, new DecoderLayer(config, rng.fork("layers." + i))));
        }
        this.norm = child("norm", new RMSNorm(config.hidden(), config.normEps()));
    }

    public Config config() {
        return config;
    }

    /** Next-token logits [B, L, vocab] for token ids I32 [B, L]. */
    public Tensor logits(Tensor ids) {
        int batch = ids.size(0), length = ids.size(1);
        Tensor positions = positions(batch, length);
        Tensor h = embedTokens.forward(ids);
        for (DecoderLayer layer : layers) {
            h = layer.forward(h, positions);
        }
        h = norm.forward(h);
        return MatMul.linear(h, embedTokens.weight(), null); // tied output layer
    }

    /** Mean next-token cross-entropy of targets I32 [B, L] (targets[b, t] is the token after ids[b, t]). */
    public Tensor loss(Tensor ids, Tensor targets) {
        Tensor logits = logits(ids);
        int rows = ids.size(0) * ids.size(1);
        return Losses.crossEntropy(logits.reshape(rows, config.vocabSize()), targets.reshape(rows), IGNORE_INDEX);
    }

    private static Tensor positions(int batch, int length) {
        int[] p = new int[batch * length];
        for (int i = 0; i < p.length; i++) p[i] = i % length;
        return Tensor.ofInts(p, batch, length);
    }

    /** Pre-norm residual block: x + attn(norm(x)), then + mlp(norm(.)). */
    static final class DecoderLayer extends Module {
        private final RMSNorm inputLayernorm;
        private final SelfAttention selfAttn;
        private final RMSNorm postAttentionLayernorm;
        private final SwiGluMlp mlp;

        DecoderLayer(Config c, Rng rng) {
            inputLayernorm = child("input_layernorm", new RMSNorm(c.hidden(), c.normEps()));
            selfAttn = child("self_attn", new SelfAttention(c, rng.fork("self_attn")));
            postAttentionLayernorm = child("post_attention_layernorm", new RMSNorm(c.hidden(), c.normEps()));
            mlp = child("mlp", new SwiGluMlp(c, rng.fork("mlp")));
        }

        Tensor forward(Tensor x, Tensor positions) {
            Tensor h = x.add(selfAttn.forward(inputLayernorm.forward(x), positions));
            return h.add(mlp.forward(postAttentionLayernorm.forward(h)));
        }
    }

    /** Causal grouped-query attention; q, k and v projections carry biases (as in Qwen2), the output one does not. */
    static final class SelfAttention extends Module {
        private final Config c;
        private final Linear qProj, kProj, vProj, oProj;

        SelfAttention(Config c, Rng rng) {
            this.c = c;
            int d = c.headDim();
            qProj = child("q_proj", new Linear(c.hidden(), c.heads() * d, true, c.initStd(), rng.fork("q_proj")));
            kProj = child("k_proj", new Linear(c.hidden(), c.kvHeads() * d, true, c.initStd(), rng.fork("k_proj")));
            vProj = child("v_proj", new Linear(c.hidden(), c.kvHeads() * d, true, c.initStd(), rng.fork("v_proj")));
            oProj = child("o_proj", new Linear(c.heads() * d, c.hidden(), false, c.initStd(), rng.fork("o_proj")));
        }

        /** x [B, L, hidden] -> [B, L, hidden]. */
        Tensor forward(Tensor x, Tensor positions) {
            int b = x.size(0), l = x.size(1), d = c.headDim();
            Tensor q = qProj.forward(x).reshape(b, l, c.heads(), d);
            Tensor k = kProj.forward(x).reshape(b, l, c.kvHeads(), d);
            Tensor v = vProj.forward(x).reshape(b, l, c.kvHeads(), d);
            q = Rope.apply(q, positions, d, c.ropeTheta());
            k = Rope.apply(k, positions, d, c.ropeTheta());
            Tensor attended = Attention.sdpa(q, k, v, true, null, Float.NaN);
            return oProj.forward(attended.reshape(b, l, c.heads() * d));
        }
    }

    /** down(silu(gate(x)) * up(x)). */
    static final class SwiGluMlp extends Module {
        private final Linear gateProj, upProj, downProj;

        SwiGluMlp(Config c, Rng rng) {
            gateProj = child("gate_proj", new Linear(c.hidden(), c.intermediate(), false, c.initStd(), rng.fork("gate_proj")));
            upProj = child("up_proj", new Linear(c.hidden(), c.intermediate(), false, c.initStd(), rng.fork("up_proj")));
            downProj = child("down_proj", new Linear(c.intermediate(), c.hidden(), false, c.initStd(), rng.fork("down_proj")));
        }

        Tensor forward(Tensor x) {
            return downProj.forward(Activations.swiglu(gateProj.forward(x), upProj.forward(x)));
        }
    }
}
