package dev.latentr3.model.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Qwen2's byte-level BPE tokenizer, loaded from a Hugging Face tokenizer.json, giving the same ids as Hugging Face
 * tokenizers. Encoding runs the same pipeline:
 * <ol>
 * <li>added tokens (special or not) whose {@code normalized} flag is false are cut out of the raw text;</li>
 * <li>each remaining piece is NFC-normalized, then added tokens with {@code normalized} true are cut out of it;</li>
 * <li>the rest is split into pre-tokens by Qwen2's regex ({@link QwenPreTokenizer});</li>
 * <li>each pre-token's UTF-8 bytes are merged by BPE ({@link BytePairEncoder}).</li>
 * </ol>
 * Instances are immutable apart from a word cache and are safe to share between threads.
 */
public final class Tokenizer {
    private final String source;
    private final BytePairEncoder bpe;
    private final AddedTokenMatcher rawTokens;
    private final AddedTokenMatcher normalizedTokens;
    private final boolean nfc;
    private final Map<String, Integer> tokenToId;
    private final String[] idToToken;
    /** The bytes each id decodes to, precomputed so decode is a copy loop. */
    private final byte[][] idToBytes;
    private final BitSet specialIds;
    private final List<AddedToken> addedTokens;

    Tokenizer(String source, BytePairEncoder bpe, AddedTokenMatcher rawTokens, AddedTokenMatcher normalizedTokens,
              boolean nfc, Map<String, Integer> tokenToId, String[] idToToken, List<AddedToken> addedTokens) {
        this.source = source;
        this.bpe = bpe;
        this.rawTokens = rawTokens;
        this.normalizedTokens = normalizedTokens;
        this.nfc = nfc;
        this.tokenToId = tokenToId; // owned: the loader hands over a fresh map
        this.idToToken = idToToken.clone();
        this.addedTokens = List.copyOf(addedTokens);
        this.specialIds = new BitSet(idToToken.length);
        for (AddedToken t : addedTokens) if (t.special()) specialIds.set(t.id());
        this.idToBytes = new byte[idToToken.length][];
        for (int id = 0; id < idToToken.length; id++) if (idToToken[id] != null) idToBytes[id] = bytesOf(idToToken[id]);
    }

    /** Loads a tokenizer.json; errors name the file and the field. */
    public static Tokenizer load(Path tokenizerJson) throws IOException {
        return TokenizerJson.load(tokenizerJson);
    }

    /** Builds a tokenizer from tokenizer.json text; {@code source} names it in error messages. */
    public static Tokenizer fromJson(String json, String source) {
        return TokenizerJson.parse(json, source);
    }

    /**
     * Token ids of the text. Added tokens written in the text (such as {@code <|im_start|>}) become their ids, as in
     * Hugging Face tokenizers; no BOS/EOS is added (Qwen adds none).
     *
     * @throws IllegalArgumentException if the text holds a lone surrogate, which has no UTF-8 form
     */
    public int[] encode(String text) {
        int bad = Utf8.firstLoneSurrogate(text);
        if (bad >= 0) {
            throw new IllegalArgumentException("cannot tokenize text with a lone surrogate U+%04X at index %d: it is not valid Unicode"
                    .formatted((int) text.charAt(bad), bad));
        }
        IntList out = new IntList(text.length() / 3 + 4);
        rawTokens.split(text, 0, text.length(), new AddedTokenMatcher.Sink() {
            @Override
            public void text(int start, int end) {
                encodeNormalizedPiece(normalize(text.substring(start, end)), out);
            }

            @Override
            public void token(AddedToken token, int start, int end) {
                out.add(token.id());
            }
        });
        return out.toArray();
    }

    private String normalize(String piece) {
        if (!nfc) return piece;
        // Characters below U+0300 are unchanged by NFC and never combine with a previous character, so pure
        // Latin/ASCII text skips the normalizer.
        for (int i = 0; i < piece.length(); i++) {
            if (piece.charAt(i) >= 0x300) return Normalizer.normalize(piece, Normalizer.Form.NFC);
        }
        return piece;
    }

    private void encodeNormalizedPiece(String piece, IntList out) {
        normalizedTokens.split(piece, 0, piece.length(), new AddedTokenMatcher.Sink() {
            @Override
            public void text(int start, int end) {
                QwenPreTokenizer.split(piece, start, end, (s, e) -> bpe.encode(piece, s, e, out));
            }

            @Override
            public void token(AddedToken token, int start, int end) {
                out.add(token.id());
            }
        });
    }

    /** The text of the ids, special tokens included. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of the ids: their bytes concatenated and read as UTF-8, invalid sequences (a multi-byte character
     * cut between ids) becoming U+FFFD, as Hugging Face's ByteLevel decoder does.
     *
     * @param skipSpecialTokens leave out added tokens marked special (such as {@code <|im_end|>})
     * @throws IllegalArgumentException for an id that is not in the vocabulary (HF would silently drop it)
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        int total = 0;
        for (int id : ids) {
            checkId(id);
            if (!(skipSpecialTokens && specialIds.get(id))) total += idToBytes[id].length;
        }
        byte[] buf = new byte[total];
        int k = 0;
        for (int id : ids) {
            if (skipSpecialTokens && specialIds.get(id)) continue;
            byte[] b = idToBytes[id];
            System.arraycopy(b, 0, buf, k, b.length);
            k += b.length;
        }
        return Utf8.decodeLossy(buf);
    }

    /**
     * Encodes each text, then truncates and pads as the options say.
     *
     * @throws IllegalArgumentException with FIXED padding, if a row is longer than the pad length and is not
     *                                  truncated to fit
     */
    public EncodedBatch encodeBatch(List<String> texts, BatchOptions options) {
        int[][] rows = new int[texts.size()][];
        int longest = 0;
        for (int r = 0; r < rows.length; r++) {
            int[] ids = encode(texts.get(r));
            int max = options.maxLength();
            if (max > 0 && ids.length > max) {
                int from = options.truncationSide() == BatchOptions.Side.LEFT ? ids.length - max : 0;
                ids = java.util.Arrays.copyOfRange(ids, from, from + max);
            }
            rows[r] = ids;
            longest = Math.max(longest, ids.length);
        }
        int width = switch (options.padding()) {
            case NONE -> -1;
            case LONGEST -> longest;
            case FIXED -> options.padLength();
        };
        int[][] masks = new int[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            int[] ids = rows[r];
            if (width < 0) {
                masks[r] = filled(ids.length, 1);
                continue;
            }
            if (ids.length > width) {
                throw new IllegalArgumentException("text " + r + " has " + ids.length + " tokens, more than the fixed pad length "
                        + width + "; truncate it with BatchOptions.truncate");
            }
            int pad = width - ids.length;
            int[] padded = filled(width, options.padId());
            int[] mask = new int[width];
            int at = options.paddingSide() == BatchOptions.Side.LEFT ? pad : 0;
            System.arraycopy(ids, 0, padded, at, ids.length);
            java.util.Arrays.fill(mask, at, at + ids.length, 1);
            rows[r] = padded;
            masks[r] = mask;
        }
        return new EncodedBatch(rows, masks);
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** One more than the largest id: the embedding table needs at least this many rows. */
    public int vocabSize() {
        return idToToken.length;
    }

    /** The id of a vocabulary entry or added token, in its byte-level spelling (a space is 'Ġ'), or -1. */
    public int tokenId(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? -1 : id;
    }

    /** The vocabulary entry or added token of an id, in its byte-level spelling. */
    public String token(int id) {
        checkId(id);
        return idToToken[id];
    }

    public boolean isSpecial(int id) {
        return specialIds.get(id);
    }

    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    /**
     * This tokenizer with one more special token, given the next id ({@link #vocabSize()} before the call), as Hugging
     * Face's {@code add_special_tokens} does for a new string: the token is cut out of the raw text whole (normalized,
     * lstrip, rstrip and single_word all false) and decode can skip it. The new id is then the last row of an
     * embedding matrix resized to the new {@link #vocabSize()}, which is how LatentR3 places {@code <|Thought|>}.
     * This tokenizer is unchanged.
     *
     * @throws IllegalArgumentException if the string is empty, not valid Unicode, or already a token (HF would reuse
     *                                  the existing id, breaking the "new id = last row" invariant callers rely on)
     */
    public Tokenizer withSpecialToken(String content) {
        if (content.isEmpty() || Utf8.firstLoneSurrogate(content) >= 0) {
            throw new IllegalArgumentException("withSpecialToken: \"" + content + "\" must be a non-empty string of valid Unicode");
        }
        if (tokenToId.containsKey(content)) {
            throw new IllegalArgumentException("withSpecialToken: \"" + content + "\" is already token " + tokenToId.get(content)
                    + " of " + source + "; a new special token must be a new string");
        }
        int id = idToToken.length;
        AddedToken token = new AddedToken(id, content, false, false, false, false, true);
        List<AddedToken> added = new ArrayList<>(addedTokens);
        added.add(token);
        List<AddedToken> raw = new ArrayList<>();
        List<String> rawPatterns = new ArrayList<>();
        for (AddedToken t : added) {
            if (!t.normalized()) {
                raw.add(t);
                rawPatterns.add(t.content());
            }
        }
        Map<String, Integer> ids = new HashMap<>(tokenToId);
        ids.put(content, id);
        String[] tokens = Arrays.copyOf(idToToken, id + 1);
        tokens[id] = content;
        return new Tokenizer(source, bpe, new AddedTokenMatcher(raw, rawPatterns), normalizedTokens, nfc, ids, tokens, added);
    }

    /** Where this tokenizer was loaded from, for messages. */
    public String source() {
        return source;
    }

    private void checkId(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary of " + source
                    + " (ids 0.." + (idToToken.length - 1) + ")");
        }
    }

    /**
     * HF's ByteLevel decoder: a token whose every character is in the byte alphabet stands for those bytes;
     * any other token (an added token with, say, a CJK character) stands for its own UTF-8.
     */
    private static byte[] bytesOf(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = ByteLevel.byteOf(token.charAt(i));
            if (b < 0) return token.getBytes(StandardCharsets.UTF_8);
            out[i] = (byte) b;
        }
        return out;
    }
}
