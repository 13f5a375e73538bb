package dev.latentr3.train.dataset;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The reference's prompt (method doc §6), verbatim — typos included ("recetenly", "palyed", "{cat}s", "may bought"),
 * since the model is trained and evaluated on exactly these strings. A sequence is four separately tokenized
 * segments: {@link #instruction()}, {@link #userInput(List)}, the thought token, and in training
 * {@link #target(String)} followed by the EOS token. Titles are inserted verbatim, without escaping.
 */
public final class PromptTemplate {
    /** The latent reasoning token, appended to the vocabulary as its last row. */
    public static final String THOUGHT_TOKEN = "<|Thought|>";
    /** Qwen2.5's end-of-text token, which ends every training target (appended as a token id, not as text). */
    public static final String EOS_TOKEN = "<|endoftext|>";
    /** The last line of every prompt; the constrained decoder's trie starts from it. */
    public static final String RESPONSE_HEADER = "### Response: \n";

    /** The reference's phrase for each Amazon category ({@code {cat}}; "CDs_and_Vinyl" → "musics"). */
    public static final Map<String, String> CATEGORY_PHRASES = phrases();

    private final String phrase;

    /** A template with {@code categoryPhrase} as {@code {cat}}, e.g. "musics" or "toys and games". */
    public PromptTemplate(String categoryPhrase) {
        Objects.requireNonNull(categoryPhrase, "categoryPhrase");
        if (categoryPhrase.isBlank()) throw new IllegalArgumentException("prompt template: expected a category phrase, found a blank one");
        this.phrase = categoryPhrase;
    }

    /** The template for an Amazon category name as the reference maps it (e.g. "CDs_and_Vinyl"). */
    public static PromptTemplate forCategory(String amazonCategory) {
        String phrase = CATEGORY_PHRASES.get(amazonCategory);
        if (phrase == null) {
            throw new IllegalArgumentException("prompt template: no phrase for category '" + amazonCategory
                    + "'; expected one of " + CATEGORY_PHRASES.keySet() + " or an explicit phrase");
        }
        return new PromptTemplate(phrase);
    }

    public String categoryPhrase() {
        return phrase;
    }

    /** Segment 1: the instruction (with the space after "request." and the final newline). */
    public String instruction() {
        return "Below is an instruction that describes a task, paired with an input that provides further context. "
                + "Write a response that appropriately completes the request. \n\n"
                + "### Instruction:\n"
                + "Given a list of " + phrase + " the user recetenly enjoy, please write a new " + phrase
                + " that the user may bought\n";
    }

    /** Segment 2: the history, each title in double quotes, joined by ", ", then the response header. */
    public String userInput(List<String> historyTitles) {
        if (historyTitles.isEmpty()) throw new IllegalArgumentException("prompt template: expected at least one history title");
        StringBuilder history = new StringBuilder();
        for (int i = 0; i < historyTitles.size(); i++) {
            if (i > 0) history.append(", ");
            history.append('"').append(historyTitles.get(i)).append('"');
        }
        return "### User Input: \nThe user has palyed the following " + phrase + "s before: " + history + "\n\n"
                + RESPONSE_HEADER;
    }

    /** Segment 4 without its EOS token: the title in double quotes and a newline. */
    public String target(String title) {
        return "\"" + title + "\"\n";
    }

    /** The prompt text before the thought token: segments 1 and 2. */
    public String prompt(List<String> historyTitles) {
        return instruction() + userInput(historyTitles);
    }

    /** A row's segments; {@code target} is segment 4 without EOS. */
    public Segments segments(Interaction row) {
        return new Segments(instruction(), userInput(row.historyTitles()), THOUGHT_TOKEN, target(row.targetTitle()));
    }

    /** The four segments of one sequence, each tokenized separately. */
    public record Segments(String instruction, String userInput, String thought, String target) {}

    private static Map<String, String> phrases() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Toys_and_Games", "toys and games");
        m.put("CDs_and_Vinyl", "musics");
        m.put("Video_Games", "video games");
        m.put("Musical_Instruments", "music instruments");
        m.put("Books", "books");
        m.put("Sports_and_Outdoors", "sports and outdoors");
        m.put("Office_Products", "office products");
        m.put("Pet_Supplies", "pet supplies");
        m.put("Arts_Crafts_and_Sewing", "arts products");
        m.put("Movies", "movie");
        return Collections.unmodifiableMap(m);
    }
}
