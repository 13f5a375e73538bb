package dev.latentr3.model.tokenizer;

/**
 * An entry of tokenizer.json's {@code added_tokens}: a string that is cut out of the text whole, before
 * normalization and BPE, and given its own id. The flags mean what they mean in Hugging Face tokenizers:
 * {@code singleWord} only matches when not glued to a word character (letter, digit, mark, underscore) on either side; {@code lstrip}/{@code rstrip}
 * swallow the whitespace on that side into the token; {@code normalized} makes it match the normalized text rather
 * than the raw input; {@code special} lets decode skip it.
 */
public record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip,
                         boolean normalized, boolean special) {
}
