package dev.latentr3.model.generate;

/**
 * A language model mid-generation, as the search strategies see it: a fixed number of rows (sequences), each with
 * next-token logits, that grow by one token per step. Implementations keep whatever state makes a step cheap (a KV
 * cache). Rows are laid out prompt-major: row {@code p * rowsPerPrompt + j} continues prompt p.
 */
public interface Decoder extends AutoCloseable {
    int rows();

    int rowsPerPrompt();

    int vocabSize();

    /** Row r's next-token logits (a copy the caller may modify); defined after start and after each {@link #append}. */
    float[] logits(int row);

    /** Extends every row by one token and computes the next logits. */
    void append(int[] tokens);

    /**
     * Row b becomes a copy of current row {@code from[b]} (beam search's surviving continuations). Logits are
     * undefined until the next {@link #append}.
     */
    void reorder(int[] from);

    @Override
    void close();
}
