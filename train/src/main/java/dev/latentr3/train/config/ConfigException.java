package dev.latentr3.train.config;

/**
 * A configuration the program cannot use: unreadable or malformed YAML, a value of the wrong kind or out of range, or a
 * key no reader asked for. The message is one line that names the file, the full dotted key, what was expected and
 * what was found, e.g. {@code configs/sft.yaml: sft.learning_rate: expected a number in [0.0, 1.0], got 5}.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
