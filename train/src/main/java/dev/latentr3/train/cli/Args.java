package dev.latentr3.train.cli;

import dev.latentr3.train.config.ConfigTree;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's arguments: {@code --name value} options and {@code --name} switches, each named in advance. Anything
 * else, a missing value or a value of the wrong kind is a {@link UsageException}, which {@link Main} turns into one
 * line and exit status 2 before the command does any work.
 *
 * <p>A command configured by YAML takes {@code --config FILE} and repeated {@code --set a.b=value}: build its Args with
 * {@link #withConfig} and read the tree with {@link #config}.
 */
final class Args {

    /** A command line the command cannot understand; the message says what is wrong, in one line. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static final String CONFIG = "--config";
    static final String SET = "--set";

    private final Map<String, String> values = new HashMap<>();
    private final Map<String, List<String>> repeatedValues = new HashMap<>();
    private final Set<String> switchesGiven;

    /** Parses args; valued options take the next argument, switches none. */
    Args(String[] args, Set<String> valued, Set<String> switches) {
        this(args, valued, Set.of(), switches);
    }

    /** As above, plus options that may be given any number of times, each with a value (in order). */
    Args(String[] args, Set<String> valued, Set<String> repeated, Set<String> switches) {
        Set<String> given = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (valued.contains(a)) {
                if (i + 1 >= args.length) throw new UsageException(a + " needs a value");
                if (values.put(a, args[++i]) != null) throw new UsageException(a + " is given twice");
            } else if (repeated.contains(a)) {
                if (i + 1 >= args.length) throw new UsageException(a + " needs a value");
                repeatedValues.computeIfAbsent(a, k -> new ArrayList<>()).add(args[++i]);
            } else if (switches.contains(a)) {
                given.add(a);
            } else {
                throw new UsageException("unexpected argument '" + a + "'");
            }
        }
        this.switchesGiven = Set.copyOf(given);
    }

    /**
     * Args for a command configured by YAML: its own options plus {@code --config FILE} and repeated
     * {@code --set a.b=value}.
     */
    static Args withConfig(String[] args, Set<String> valued, Set<String> switches) {
        Set<String> withConfigFile = new HashSet<>(valued);
        withConfigFile.add(CONFIG);
        return new Args(args, withConfigFile, Set.of(SET), switches);
    }

    boolean has(String name) {
        return values.containsKey(name) || switchesGiven.contains(name) || repeatedValues.containsKey(name);
    }

    /** Every value of a repeated option, in the order given (empty when not given). */
    List<String> all(String name) {
        return List.copyOf(repeatedValues.getOrDefault(name, List.of()));
    }

    /**
     * The command's configuration: the file named by --config, else defaultConfig, else (defaultConfig null) an empty
     * tree in which every setting has its default; the --set overrides apply on top in every case. Parse errors and
     * bad values throw {@link dev.latentr3.train.config.ConfigException} (the caller reads its settings, then calls
     * requireAllRead). A --set without '=' is a usage error.
     */
    ConfigTree config(Path defaultConfig) {
        List<String> overrides = all(SET);
        for (String o : overrides) {
            if (o.indexOf('=') <= 0) throw new UsageException(SET + " needs key=value (e.g. sft.learning_rate=1e-4), got '" + o + "'");
        }
        String file = values.get(CONFIG);
        if (file != null) return ConfigTree.load(Path.of(file), overrides);
        if (defaultConfig != null) return ConfigTree.load(defaultConfig, overrides);
        return ConfigTree.empty("command line", overrides);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null) throw new UsageException(name + " is required");
        return v;
    }

    Path requiredPath(String name) {
        return Path.of(required(name));
    }

    int positiveInt(String name, int fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n <= 0) throw new UsageException(name + " needs a positive whole number, got '" + v + "'");
        return n;
    }

    long longValue(String name, long fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a whole number, got '" + v + "'");
        }
    }

    /** A number in [min, max]; expected says which in the error (e.g. "a number > 0"). */
    double number(String name, double fallback, double min, double max, String expected) {
        String v = values.get(name);
        if (v == null) return fallback;
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (!(d >= min && d <= max)) throw new UsageException(name + " needs " + expected + ", got '" + v + "'");
        return d;
    }

    /** A whole number >= 0. */
    int nonNegativeInt(String name, int fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) throw new UsageException(name + " needs a whole number >= 0, got '" + v + "'");
        return n;
    }
}
