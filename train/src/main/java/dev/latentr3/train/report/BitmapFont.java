package dev.latentr3.train.report;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.util.HashMap;
import java.util.Map;

/**
 * The one font charts draw with: 5x7 pixel glyphs written out below as data, scaled by a whole factor. Java's own
 * fonts come from the host (fontconfig and installed font files on Linux); a GPU server without them made
 * {@code getFontMetrics} throw "Fontconfig head is null" after a whole training run. Pixels from a table need nothing
 * from the host, and every glyph has the same advance, so a text's width is its glyph count times the advance.
 *
 * <p>A glyph is 5 columns by 9 rows: rows 0-6 stand on the baseline (capitals and digits fill them, lower case starts
 * at row 2), rows 7-8 hold descenders (g, j, p, q, y, the comma's tail, the underscore). Printable ASCII is complete;
 * a few signs our labels use (… – — ± × · ° µ) are added. Any other code point, and any control character other
 * than whitespace, is drawn as a hollow box rather than '?', so a missing glyph is never mistaken for a real
 * question mark in a label.
 */
final class BitmapFont {
    private BitmapFont() {}

    static final int GLYPH_WIDTH = 5;
    /** Rows above the baseline. */
    static final int ASCENT = 7;
    static final int ROWS = 9;
    /** Glyph width plus one blank column. */
    static final int ADVANCE = GLYPH_WIDTH + 1;
    /** Glyph rows plus one blank row between lines. */
    static final int LINE = ROWS + 1;

    private static final String BOX = "##### #...# #...# #...# #...# #...# #####";

    /** Code point, then its rows top to bottom ('#' lit), space-separated; 7 rows when there is no descender. */
    private static final Object[][] TABLE = {
        {' ', "..... ..... ..... ..... ..... ..... ....."},
        {'!', "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#.."},
        {'"', ".#.#. .#.#. .#.#. ..... ..... ..... ....."},
        {'#', ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#."},
        {'$', "..#.. .#### #.#.. .###. ..#.# ####. ..#.."},
        {'%', "##... ##..# ...#. ..#.. .#... #..## ...##"},
        {'&', ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#"},
        {'\'', "..#.. ..#.. .#... ..... ..... ..... ....."},
        {'(', "...#. ..#.. .#... .#... .#... ..#.. ...#."},
        {')', ".#... ..#.. ...#. ...#. ...#. ..#.. .#..."},
        {'*', "..... ..#.. #.#.# .###. #.#.# ..#.. ....."},
        {'+', "..... ..#.. ..#.. ##### ..#.. ..#.. ....."},
        {',', "..... ..... ..... ..... ..... .##.. .##.. ..#.. .#..."},
        {'-', "..... ..... ..... .###. ..... ..... ....."},
        {'.', "..... ..... ..... ..... ..... .##.. .##.."},
        {'/', "..... ....# ...#. ..#.. .#... #.... ....."},
        {'0', ".###. #...# #..## #.#.# ##..# #...# .###."},
        {'1', "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###."},
        {'2', ".###. #...# ....# ...#. ..#.. .#... #####"},
        {'3', "##### ...#. ..#.. ...#. ....# #...# .###."},
        {'4', "...#. ..##. .#.#. #..#. ##### ...#. ...#."},
        {'5', "##### #.... ####. ....# ....# #...# .###."},
        {'6', "..##. .#... #.... ####. #...# #...# .###."},
        {'7', "##### ....# ...#. ..#.. .#... .#... .#..."},
        {'8', ".###. #...# #...# .###. #...# #...# .###."},
        {'9', ".###. #...# #...# .#### ....# ...#. .##.."},
        {':', "..... .##.. .##.. ..... .##.. .##.. ....."},
        {';', "..... .##.. .##.. ..... .##.. .##.. ..#.. .#... ....."},
        {'<', "...#. ..#.. .#... #.... .#... ..#.. ...#."},
        {'=', "..... ..... ##### ..... ##### ..... ....."},
        {'>', ".#... ..#.. ...#. ....# ...#. ..#.. .#..."},
        {'?', ".###. #...# ....# ...#. ..#.. ..... ..#.."},
        {'@', ".###. #...# ....# .##.# #.#.# #.#.# .###."},
        {'A', ".###. #...# #...# #...# ##### #...# #...#"},
        {'B', "####. #...# #...# ####. #...# #...# ####."},
        {'C', ".###. #...# #.... #.... #.... #...# .###."},
        {'D', "###.. #..#. #...# #...# #...# #..#. ###.."},
        {'E', "##### #.... #.... ####. #.... #.... #####"},
        {'F', "##### #.... #.... ####. #.... #.... #...."},
        {'G', ".###. #...# #.... #.### #...# #...# .####"},
        {'H', "#...# #...# #...# ##### #...# #...# #...#"},
        {'I', ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###."},
        {'J', "..### ...#. ...#. ...#. ...#. #..#. .##.."},
        {'K', "#...# #..#. #.#.. ##... #.#.. #..#. #...#"},
        {'L', "#.... #.... #.... #.... #.... #.... #####"},
        {'M', "#...# ##.## #.#.# #.#.# #...# #...# #...#"},
        {'N', "#...# #...# ##..# #.#.# #..## #...# #...#"},
        {'O', ".###. #...# #...# #...# #...# #...# .###."},
        {'P', "####. #...# #...# ####. #.... #.... #...."},
        {'Q', ".###. #...# #...# #...# #.#.# #..#. .##.#"},
        {'R', "####. #...# #...# ####. #.#.. #..#. #...#"},
        {'S', ".#### #.... #.... .###. ....# ....# ####."},
        {'T', "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."},
        {'U', "#...# #...# #...# #...# #...# #...# .###."},
        {'V', "#...# #...# #...# #...# #...# .#.#. ..#.."},
        {'W', "#...# #...# #...# #.#.# #.#.# #.#.# .#.#."},
        {'X', "#...# #...# .#.#. ..#.. .#.#. #...# #...#"},
        {'Y', "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#.."},
        {'Z', "##### ....# ...#. ..#.. .#... #.... #####"},
        {'[', ".###. .#... .#... .#... .#... .#... .###."},
        {'\\', "..... #.... .#... ..#.. ...#. ....# ....."},
        {']', ".###. ...#. ...#. ...#. ...#. ...#. .###."},
        {'^', "..#.. .#.#. #...# ..... ..... ..... ....."},
        {'_', "..... ..... ..... ..... ..... ..... ..... ##### ....."},
        {'`', ".#... ..#.. ...#. ..... ..... ..... ....."},
        {'a', "..... ..... .###. ....# .#### #...# .####"},
        {'b', "#.... #.... #.##. ##..# #...# #...# ####."},
        {'c', "..... ..... .###. #.... #.... #...# .###."},
        {'d', "....# ....# .##.# #..## #...# #...# .####"},
        {'e', "..... ..... .###. #...# ##### #.... .###."},
        {'f', "..##. .#..# .#... ###.. .#... .#... .#..."},
        {'g', "..... ..... .#### #...# #...# #...# .#### ....# .###."},
        {'h', "#.... #.... #.##. ##..# #...# #...# #...#"},
        {'i', "..#.. ..... .##.. ..#.. ..#.. ..#.. .###."},
        {'j', "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##.."},
        {'k', "#.... #.... #..#. #.#.. ##... #.#.. #..#."},
        {'l', ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###."},
        {'m', "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#"},
        {'n', "..... ..... #.##. ##..# #...# #...# #...#"},
        {'o', "..... ..... .###. #...# #...# #...# .###."},
        {'p', "..... ..... ####. #...# #...# #...# ####. #.... #...."},
        {'q', "..... ..... .#### #...# #...# #...# .#### ....# ....#"},
        {'r', "..... ..... #.##. ##..# #.... #.... #...."},
        {'s', "..... ..... .###. #.... .###. ....# ####."},
        {'t', ".#... .#... ###.. .#... .#... .#..# ..##."},
        {'u', "..... ..... #...# #...# #...# #..## .##.#"},
        {'v', "..... ..... #...# #...# #...# .#.#. ..#.."},
        {'w', "..... ..... #...# #...# #.#.# #.#.# .#.#."},
        {'x', "..... ..... #...# .#.#. ..#.. .#.#. #...#"},
        {'y', "..... ..... #...# #...# #...# #...# .#### ....# .###."},
        {'z', "..... ..... ##### ...#. ..#.. .#... #####"},
        {'{', "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#."},
        {'|', "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."},
        {'}', ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#..."},
        {'~', "..... ..... .#... #.#.# ...#. ..... ....."},
        // Beyond ASCII: the ellipsis our labels are shortened with, dashes and signs of ranges and units.
        {'…', "..... ..... ..... ..... ..... ..... #.#.#"},
        {'–', "..... ..... ..... ##### ..... ..... ....."},
        {'—', "..... ..... ..... ##### ..... ..... ....."},
        {'±', "..#.. ..#.. ##### ..#.. ..#.. ..... #####"},
        {'×', "..... #...# .#.#. ..#.. .#.#. #...# ....."},
        {'·', "..... ..... ..... ..#.. ..... ..... ....."},
        {'°', ".##.. #..#. #..#. .##.. ..... ..... ....."},
        {'µ', "..... ..... #...# #...# #...# #..## ###.# #.... #...."},
    };

    /** Bit (row * GLYPH_WIDTH + column) of a glyph is set where it is lit. */
    private static final Map<Integer, Long> GLYPHS = new HashMap<>();
    private static final long BOX_BITS = parse("box", BOX);

    static {
        for (Object[] entry : TABLE) {
            int cp = (Character) entry[0];
            if (GLYPHS.put(cp, parse("'" + (char) cp + "'", (String) entry[1])) != null) {
                throw new IllegalStateException("BitmapFont: the glyph for U+" + Integer.toHexString(cp) + " is given twice");
            }
        }
    }

    private static long parse(String name, String art) {
        String[] rows = art.split(" ");
        if (rows.length != ASCENT && rows.length != ROWS) {
            throw new IllegalStateException("BitmapFont: glyph " + name + " has " + rows.length + " rows, expected "
                    + ASCENT + " or " + ROWS);
        }
        long bits = 0;
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length() != GLYPH_WIDTH || !rows[r].matches("[.#]+")) {
                throw new IllegalStateException("BitmapFont: glyph " + name + " row " + r + " is '" + rows[r]
                        + "', expected " + GLYPH_WIDTH + " of '.' and '#'");
            }
            for (int c = 0; c < GLYPH_WIDTH; c++) if (rows[r].charAt(c) == '#') bits |= 1L << (r * GLYPH_WIDTH + c);
        }
        return bits;
    }

    /** The lit pixels of a code point's glyph; whitespace is blank, anything without a glyph is the box. */
    static long glyph(int codePoint) {
        Long g = GLYPHS.get(codePoint);
        if (g != null) return g;
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) ? 0L : BOX_BITS;
    }

    static boolean lit(long glyph, int row, int column) {
        return (glyph >>> (row * GLYPH_WIDTH + column) & 1) != 0;
    }

    /** Pixels the text takes along its line: one advance per code point. */
    static int width(String s, int scale) {
        return s.codePointCount(0, s.length()) * ADVANCE * scale;
    }

    /**
     * Draws the text in the graphics' colour with its top-left at (x, top); bold widens every stroke by one pixel.
     * With {@code up}, the text reads bottom to top (a y axis label) and (x, top) is where its first glyph's top-left
     * lands, the line then running upwards from there.
     */
    static void draw(Graphics2D g, String s, int x, int top, int scale, boolean bold, boolean up) {
        // Whole-pixel squares: anti-aliasing would only blur their edges.
        Object aa = g.getRenderingHint(RenderingHints.KEY_ANTIALIASING);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        int w = scale + (bold ? 1 : 0);
        int pen = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            long glyph = glyph(cp);
            for (int r = 0; r < ROWS; r++) {
                for (int c = 0; c < GLYPH_WIDTH; c++) {
                    if (!lit(glyph, r, c)) continue;
                    int along = pen + c * scale, across = r * scale;
                    // Upwards, "along" runs towards smaller y and "across" (down the glyph) towards larger x.
                    if (up) g.fillRect(x + across, top - along - w + 1, scale, w);
                    else g.fillRect(x + along, top + across, w, scale);
                }
            }
            pen += ADVANCE * scale;
        }
        if (aa != null) g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, aa);
    }
}
