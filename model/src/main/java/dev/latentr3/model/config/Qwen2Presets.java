package dev.latentr3.model.config;

/** Model shapes that init-model and the demo build from scratch. */
public final class Qwen2Presets {
    private Qwen2Presets() {}

    /**
     * A 2-layer Qwen2 (hidden 64, 4 query and 2 key/value heads of 16, MLP 192, tied embeddings): about 0.1M
     * parameters for a byte-level vocabulary, small enough to train on a CPU in a minute.
     */
    public static Qwen2Config tiny(int vocabSize, int eosTokenId, int layers) {
        return new Qwen2Config(vocabSize, 64, 192, layers, 4, 2, 1024, 10_000.0, 1e-6, true, "float32",
                eosTokenId, eosTokenId, 0.02);
    }

    /** Qwen2.5-0.5B's shape (hidden 896, 24 layers, 14 query and 2 key/value heads, MLP 4864, 151,936 rows). */
    public static Qwen2Config qwen25HalfB(int eosTokenId, int layers) {
        return new Qwen2Config(151_936, 896, 4864, layers, 14, 2, 32_768, 1_000_000.0, 1e-6, true, "float32",
                eosTokenId, eosTokenId, 0.02);
    }

    /**
     * Qwen2.5-1.5B's shape (hidden 1536, 28 layers, 12 query and 2 key/value heads of 128, MLP 8960, 151,936 rows, tied,
     * RoPE theta 1e6): 1.54e9 parameters, 1.31e9 without the embedding, as its model card states. The position limit
     * (32,768 here) changes no weight.
     */
    public static Qwen2Config qwen25OnePointFiveB(int eosTokenId, int layers) {
        return new Qwen2Config(151_936, 1536, 8960, layers, 12, 2, 32_768, 1_000_000.0, 1e-6, true, "float32",
                eosTokenId, eosTokenId, 0.02);
    }

    /** Qwen2.5-0.5B's number of decoder layers. */
    public static final int QWEN25_HALF_B_LAYERS = 24;
    /** Qwen2.5-1.5B's number of decoder layers. */
    public static final int QWEN25_ONE_POINT_FIVE_B_LAYERS = 28;
    public static final int TINY_LAYERS = 2;
}
