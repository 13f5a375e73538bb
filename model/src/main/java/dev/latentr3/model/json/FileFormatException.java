package dev.latentr3.model.json;

/**
 * A file we cannot use (tokenizer.json, config.json, a safetensors checkpoint): malformed, truncated, a field of the
 * wrong kind, or a feature we do not implement. The message always names the file and the field (a JSON path such as
 * {@code model.merges[12]}, or a tensor's name) and says what was expected, so a user can fix the file or see at once
 * that the format is outside what we support.
 */
public final class FileFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FileFormatException(String file, String field, String problem) {
        super(file + ": " + (field.isEmpty() ? "(top level)" : field) + ": " + problem);
    }

    public FileFormatException(String message) {
        super(message);
    }
}
