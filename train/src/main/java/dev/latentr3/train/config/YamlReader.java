package dev.latentr3.train.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * YAML text to {@link ConfigNode}s. SnakeYAML only composes the node graph here; it never constructs objects, so no
 * tag can make it instantiate a class, and the scalars keep their written text for {@link ConfigTree}'s typed readers.
 * Refused: more than one document, duplicate keys, keys that are not plain names or contain a dot, merge keys, and
 * tags outside YAML's standard scalar, list and map types.
 */
final class YamlReader {
    private YamlReader() {}

    /** Tags the composer may give (implicitly or written out) that we accept; the rest (binary, set, custom) are refused. */
    private static final Set<Tag> ACCEPTED_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL,
            Tag.TIMESTAMP, Tag.MAP, Tag.SEQ);

    /**
     * The document in text, or null for an empty one (only comments or nothing). key is the dotted key the document
     * sits under ("" for a file, the override's key for a --set value); overrideOrigin is null for a file.
     */
    static ConfigNode parse(String text, String source, String key, ConfigNode.Origin overrideOrigin) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(50);
        // Let the composer keep any tag so that convert() refuses it with the key and line; composing never builds
        // objects, so a tag in a node is harmless (SnakeYAML's own refusal would read as a syntax error).
        options.setTagInspector(tag -> true);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new ConfigException(where(source, overrideOrigin) + describe(e), e);
        } catch (YAMLException e) {
            throw new ConfigException(where(source, overrideOrigin) + "YAML error: " + e.getMessage(), e);
        }
        if (root == null) return null;
        return new YamlReader.Walk(source, overrideOrigin).convert(root, key);
    }

    private static String where(String source, ConfigNode.Origin overrideOrigin) {
        return source + ": " + (overrideOrigin == null ? "" : "--set " + overrideOrigin.override() + ": ");
    }

    /** "line 3, column 7: mapping values are not allowed here" (with the context, when SnakeYAML gives one). */
    private static String describe(MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        StringBuilder sb = new StringBuilder("YAML syntax error");
        if (mark != null) sb.append(" at line ").append(mark.getLine() + 1).append(", column ").append(mark.getColumn() + 1);
        sb.append(": ");
        if (e.getContext() != null) sb.append(e.getContext().strip()).append(", ");
        sb.append(e.getProblem() == null ? "malformed YAML" : e.getProblem().strip());
        return sb.toString();
    }

    /** One conversion; overrideOrigin, when set, marks every node as coming from that --set. */
    private record Walk(String source, ConfigNode.Origin overrideOrigin) {

        ConfigNode convert(Node node, String key) {
            ConfigNode.Origin origin = overrideOrigin != null ? overrideOrigin
                    : ConfigNode.Origin.line(node.getStartMark().getLine() + 1);
            if (!ACCEPTED_TAGS.contains(node.getTag())) {
                throw error(node, key, "unsupported YAML tag " + node.getTag().getValue()
                        + " (only plain strings, numbers, booleans, lists and sections are allowed)");
            }
            return switch (node) {
                case ScalarNode s -> new ConfigNode.Scalar(s.getValue(), s.isPlain(), origin);
                case SequenceNode s -> {
                    List<ConfigNode> items = new ArrayList<>(s.getValue().size());
                    for (Node item : s.getValue()) items.add(convert(item, key + "[" + items.size() + "]"));
                    yield new ConfigNode.Sequence(List.copyOf(items), origin);
                }
                case MappingNode m -> mapping(m, key, origin);
                default -> throw error(node, key, "unsupported YAML node " + node.getNodeId());
            };
        }

        private ConfigNode.Mapping mapping(MappingNode m, String key, ConfigNode.Origin origin) {
            LinkedHashMap<String, ConfigNode> entries = new LinkedHashMap<>();
            Map<String, Integer> firstLine = new HashMap<>();
            for (NodeTuple t : m.getValue()) {
                Node k = t.getKeyNode();
                if (!(k instanceof ScalarNode ks) || k.getTag().equals(Tag.MERGE)) {
                    throw error(k, key, k.getTag().equals(Tag.MERGE) ? "merge keys (<<) are not supported"
                            : "a key must be a plain name, got a " + k.getNodeId());
                }
                String name = ks.getValue();
                String full = key.isEmpty() ? name : key + "." + name;
                if (name.isEmpty() || name.contains(".")) {
                    throw error(k, full, "a key must be a non-empty name without '.' (the dot joins nested keys)");
                }
                int line = k.getStartMark().getLine() + 1;
                Integer first = firstLine.putIfAbsent(name, line);
                if (first != null) throw error(k, full, "duplicate key (first given on line " + first + ")");
                entries.put(name, convert(t.getValueNode(), full));
            }
            return new ConfigNode.Mapping(entries, origin);
        }

        private ConfigException error(Node node, String key, String problem) {
            String where = overrideOrigin != null ? "--set " + overrideOrigin.override()
                    : "line " + (node.getStartMark().getLine() + 1);
            return new ConfigException(source + ": " + where + ": " + (key.isEmpty() ? "" : key + ": ") + problem);
        }
    }
}
