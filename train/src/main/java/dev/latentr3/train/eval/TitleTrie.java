package dev.latentr3.train.eval;

import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.SequenceTokens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A token-level prefix trie over the catalogue's target sequences ({@link SequenceTokens#target}: {@code "title"\n}
 * then EOS), for constrained decoding. Nodes are ints (the root is 0); each node's children sit in one slice of two
 * flat arrays, sorted by token, so a step is a binary search, not a string-keyed map look-up as in the reference.
 * Items with the same title have the same sequence and share one path; the node after a complete sequence (its EOS)
 * is a leaf that knows the title and every item id carrying it.
 */
public final class TitleTrie {
    private final int[] childStart;   // node -> first index into childToken/childNode; node + 1 -> end
    private final int[] childToken;   // sorted ascending within a node's slice
    private final int[] childNode;
    private final int[] leafOf;       // node -> index into leafTitles / leafItems, or -1
    private final List<String> leafTitles;
    private final List<int[]> leafItems;
    private final int maxLength;

    private TitleTrie(int[] childStart, int[] childToken, int[] childNode, int[] leafOf, List<String> leafTitles,
                      List<int[]> leafItems, int maxLength) {
        this.childStart = childStart;
        this.childToken = childToken;
        this.childNode = childNode;
        this.leafOf = leafOf;
        this.leafTitles = leafTitles;
        this.leafItems = leafItems;
        this.maxLength = maxLength;
    }

    /** The trie of every catalogue item's target sequence. */
    public static TitleTrie build(ItemCatalog catalog, SequenceTokens tokens) {
        List<int[]> sequences = new ArrayList<>(catalog.size());
        for (String title : catalog.titles()) sequences.add(tokens.target(title));
        return of(sequences, catalog.titles(), tokens.eosTokenId());
    }

    /**
     * The trie of item {@code i}'s token sequence {@code sequences.get(i)}, titled {@code titles.get(i)}. Every
     * sequence must end with {@code eosTokenId} and hold it nowhere else (beam search ends a hypothesis at the first
     * EOS, so an EOS inside a title would make the rest unreachable).
     */
    public static TitleTrie of(List<int[]> sequences, List<String> titles, int eosTokenId) {
        if (sequences.size() != titles.size()) {
            throw new IllegalArgumentException("title trie: " + sequences.size() + " sequences for " + titles.size() + " titles");
        }
        if (sequences.isEmpty()) throw new IllegalArgumentException("title trie: expected at least one title, found none");
        // Build with a hash of (parent, token) -> child, then lay the edges out sorted per node.
        Map<Long, Integer> edges = new HashMap<>();
        int nodes = 1, maxLength = 0;
        Map<Integer, Integer> leafByNode = new HashMap<>();
        List<String> leafTitles = new ArrayList<>();
        List<List<Integer>> leafItems = new ArrayList<>();
        for (int item = 0; item < sequences.size(); item++) {
            int[] seq = sequences.get(item);
            checkSequence(seq, item, titles.get(item), eosTokenId);
            int node = 0;
            for (int token : seq) {
                long key = ((long) node << 32) | (token & 0xffffffffL);
                Integer next = edges.get(key);
                if (next == null) {
                    next = nodes++;
                    edges.put(key, next);
                }
                node = next;
            }
            maxLength = Math.max(maxLength, seq.length);
            Integer leaf = leafByNode.get(node);
            if (leaf == null) {
                // Titles that tokenize alike (equal, or equal after NFC) share a leaf; the first one names it.
                leaf = leafTitles.size();
                leafByNode.put(node, leaf);
                leafTitles.add(titles.get(item));
                leafItems.add(new ArrayList<>());
            }
            leafItems.get(leaf).add(item);
        }
        long[] keys = new long[edges.size()];
        int k = 0;
        for (long key : edges.keySet()) keys[k++] = key;
        Arrays.sort(keys); // by parent, then token: tokens are non-negative, so the low half sorts as unsigned
        int[] childStart = new int[nodes + 1];
        int[] childToken = new int[keys.length];
        int[] childNode = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            int parent = (int) (keys[i] >>> 32);
            childStart[parent + 1]++;
            childToken[i] = (int) keys[i];
            childNode[i] = edges.get(keys[i]);
        }
        for (int n = 0; n < nodes; n++) childStart[n + 1] += childStart[n];
        int[] leafOf = new int[nodes];
        Arrays.fill(leafOf, -1);
        leafByNode.forEach((node, leaf) -> leafOf[node] = leaf);
        List<int[]> items = new ArrayList<>(leafItems.size());
        for (List<Integer> ids : leafItems) items.add(ids.stream().mapToInt(Integer::intValue).toArray());
        return new TitleTrie(childStart, childToken, childNode, leafOf, List.copyOf(leafTitles), items, maxLength);
    }

    private static void checkSequence(int[] seq, int item, String title, int eos) {
        if (seq.length == 0 || seq[seq.length - 1] != eos) {
            throw new IllegalArgumentException("title trie: item " + item + " ('" + title + "') has tokens "
                    + Arrays.toString(seq) + "; expected them to end with the EOS token " + eos);
        }
        for (int i = 0; i < seq.length; i++) {
            if (seq[i] < 0) {
                throw new IllegalArgumentException("title trie: item " + item + " ('" + title + "') has a negative token id "
                        + seq[i] + " at position " + i);
            }
            if (i < seq.length - 1 && seq[i] == eos) {
                throw new IllegalArgumentException("title trie: item " + item + " ('" + title + "') holds the EOS token "
                        + eos + " at position " + i + " before its end; beam search would stop there");
            }
        }
    }

    public int root() {
        return 0;
    }

    /** The child of {@code node} through {@code token}, or -1 if no title continues that way. */
    public int child(int node, int token) {
        int i = Arrays.binarySearch(childToken, childStart[node], childStart[node + 1], token);
        return i >= 0 ? childNode[i] : -1;
    }

    /** The node reached from the root through {@code tokens}, or -1 if they are no prefix of a title sequence. */
    public int walk(int[] tokens) {
        int node = 0;
        for (int t : tokens) {
            node = child(node, t);
            if (node < 0) return -1;
        }
        return node;
    }

    public int childCount(int node) {
        return childStart[node + 1] - childStart[node];
    }

    /** The i-th allowed next token at {@code node}, ascending in i. */
    public int childToken(int node, int i) {
        if (i < 0 || i >= childCount(node)) {
            throw new IndexOutOfBoundsException("title trie: node " + node + " has " + childCount(node) + " children, asked for " + i);
        }
        return childToken[childStart[node] + i];
    }

    /** Whether {@code node} ends a complete sequence (after its EOS). */
    public boolean isLeaf(int node) {
        return leafOf[node] >= 0;
    }

    /** The catalogue title of a leaf (the first item's when several titles tokenize alike). */
    public String title(int leaf) {
        return leafTitles.get(requireLeaf(leaf));
    }

    /** Ids of every item whose sequence ends at this leaf, ascending. */
    public int[] itemIds(int leaf) {
        return leafItems.get(requireLeaf(leaf)).clone();
    }

    /** Tokens of the longest sequence, EOS included: the most new tokens a constrained search can need. */
    public int maxLength() {
        return maxLength;
    }

    public int nodeCount() {
        return leafOf.length;
    }

    /** Distinct sequences, i.e. distinct titles up to tokenization. */
    public int leafCount() {
        return leafTitles.size();
    }

    private int requireLeaf(int node) {
        if (node < 0 || node >= leafOf.length || leafOf[node] < 0) {
            throw new IllegalArgumentException("title trie: node " + node + " is not the end of a title sequence");
        }
        return leafOf[node];
    }
}
