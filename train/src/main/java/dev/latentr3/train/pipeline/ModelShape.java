package dev.latentr3.train.pipeline;

import dev.latentr3.model.config.Qwen2Config;

/**
 * The shape of a Qwen2 trained from scratch by the pipeline (the vocabulary comes from the tokenizer).
 *
 * @param hidden       hidden size d (also LatentRATT's size)
 * @param intermediate MLP width
 * @param layers       decoder layers
 * @param heads        query heads (hidden must divide by it)
 * @param kvHeads      key/value heads (heads must divide by it)
 * @param maxPositions the longest sequence the config admits
 * @param initStd      weights' N(0, initStd^2) (Qwen2's initializer_range, 0.02), LatentRATT's too
 * @param latentGate   0: LatentRATT as the method defines it; > 0: an ablation, r multiplied by a learned scalar gate
 *                     initialised to this ({@link dev.latentr3.model.latent.LatentRATT#withGate})
 */
public record ModelShape(int hidden, int intermediate, int layers, int heads, int kvHeads, int maxPositions, double initStd,
                         double latentGate) {
    /** The method's model: no gate on the latent. */
    public ModelShape(int hidden, int intermediate, int layers, int heads, int kvHeads, int maxPositions, double initStd) {
        this(hidden, intermediate, layers, heads, kvHeads, maxPositions, initStd, 0);
    }

    public ModelShape {
        if (!(latentGate >= 0) || !Double.isFinite(latentGate)) {
            throw new IllegalArgumentException("model shape: latent_gate must be 0 (off) or a positive initial value, found " + latentGate);
        }
        if (hidden < 2 || intermediate < 1 || layers < 1 || heads < 1 || kvHeads < 1 || maxPositions < 2 || !(initStd > 0)) {
            throw new IllegalArgumentException("model shape: expected positive sizes and init std, found " + this);
        }
        if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0) {
            throw new IllegalArgumentException("model shape: hidden " + hidden + " must split into " + heads
                    + " heads of even size, and the heads into " + kvHeads + " key/value groups");
        }
    }

    public Qwen2Config config(int vocabSize, int eosTokenId) {
        return new Qwen2Config(vocabSize, hidden, intermediate, layers, heads, kvHeads, maxPositions, 10_000.0, 1e-6, true,
                "float32", eosTokenId, eosTokenId, initStd);
    }
}
