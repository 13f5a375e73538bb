package dev.latentr3.model.tokenizer;

/**
 * A tokenizer file we cannot use: malformed JSON, a field of the wrong kind, or a feature we do not implement.
 * The message always names the file and the field (a JSON path such as {@code model.merges[12]}) and says what was
 * expected, so a user can fix the file or see at once that the format is outside what we support.
 */
public final class TokenizerFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenizerFileException(String file, String field, String problem) {
        super(file + ": " + (field.isEmpty() ? "(top level)" : field) + ": " + problem);
    }

    public TokenizerFileException(String message) {
        super(message);
    }
}
