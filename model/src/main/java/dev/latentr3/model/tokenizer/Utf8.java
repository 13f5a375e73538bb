package dev.latentr3.model.tokenizer;

/** UTF-8 both ways, with exactly the error handling of Rust's String::from_utf8_lossy on the way back. */
final class Utf8 {
    private Utf8() {
    }

    static byte[] encode(String s, int start, int end) {
        int len = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x80) len += 1;
            else if (c < 0x800) len += 2;
            else if (Character.isHighSurrogate(c)) {
                len += 4;
                i++;
            } else len += 3;
        }
        byte[] out = new byte[len];
        int k = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[k++] = (byte) c;
            } else if (c < 0x800) {
                out[k++] = (byte) (0xC0 | (c >> 6));
                out[k++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[k++] = (byte) (0xF0 | (cp >> 18));
                out[k++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[k++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[k++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[k++] = (byte) (0xE0 | (c >> 12));
                out[k++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[k++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return out;
    }

    /** Index of the first lone surrogate in s, or -1: such text has no UTF-8 form, so it cannot be tokenized. */
    static int firstLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) continue;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }

    /**
     * Decodes UTF-8, replacing each maximal invalid subpart with one U+FFFD (Unicode's recommended practice, which
     * Rust's from_utf8_lossy, and so HF's decoder, follows). Java's own decoder groups some invalid sequences
     * differently (E0 80 gives one U+FFFD there, two here), so decode could not match HF with it.
     */
    static String decodeLossy(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            }
            int len;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                if (c == 0xE0) lo = 0xA0;      // no overlong forms
                else if (c == 0xED) hi = 0x9F; // no surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                if (c == 0xF0) lo = 0x90;      // no overlong forms
                else if (c == 0xF4) hi = 0x8F; // nothing above U+10FFFF
            } else {
                sb.append('\uFFFD');
                i++;
                continue;
            }
            int cp = c & (0xFF >> (len + 1));
            int k = 1;
            for (; k < len; k++) {
                if (i + k >= n) break;
                int d = b[i + k] & 0xFF;
                if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) break;
                cp = (cp << 6) | (d & 0x3F);
            }
            if (k < len) {
                sb.append('\uFFFD'); // the valid prefix read so far is one maximal subpart
                i += k;
            } else {
                sb.appendCodePoint(cp);
                i += len;
            }
        }
        return sb.toString();
    }
}
