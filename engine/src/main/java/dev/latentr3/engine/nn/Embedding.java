package dev.latentr3.engine.nn;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.random.Rng;

/** A lookup table [vocab, dim] of row vectors, initialised N(0, std^2). */
public final class Embedding extends Module {
    private final Tensor weight;

    public Embedding(int vocab, int dim, float initStd, Rng rng) {
        this.weight = rng.normal(parameter("weight", vocab, dim), 0f, initStd);
    }

    /** ids I32 [...] -> [..., dim]. */
    public Tensor forward(Tensor ids) {
        return Indexing.embedding(weight, ids);
    }

    /** The table, which a tied output layer reuses as its weight. */
    public Tensor weight() {
        return weight;
    }
}
