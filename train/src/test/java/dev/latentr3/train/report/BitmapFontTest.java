package dev.latentr3.train.report;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BitmapFontTest {
    private static final long BOX = BitmapFont.glyph(0x65E5); // 日: no glyph

    @Test
    void everyPrintableAsciiCharacterHasItsOwnGlyph() {
        Map<Long, Character> seen = new HashMap<>();
        for (char c = '!'; c <= '~'; c++) {
            long g = BitmapFont.glyph(c);
            assertNotEquals(0L, g, "'" + c + "' is blank");
            assertNotEquals(BOX, g, "'" + c + "' is drawn as the missing-glyph box");
            Character before = seen.put(g, c);
            assertNull(before, "'" + c + "' has the same pixels as '" + before + "'");
        }
        assertEquals(0L, BitmapFont.glyph(' '));
    }

    @Test
    void otherCodePointsAreABoxAndWhitespaceIsBlank() {
        assertEquals(BitmapFont.glyph(0x1F600), BOX, "an emoji (a surrogate pair in the string)");
        assertEquals(BitmapFont.glyph(0x7), BOX, "a control character");
        assertEquals(0L, BitmapFont.glyph('\t'));
        assertEquals(0L, BitmapFont.glyph(0xA0), "no-break space");
        for (int r = 0; r < BitmapFont.ASCENT; r++) {
            assertTrue(BitmapFont.lit(BOX, r, 0) && BitmapFont.lit(BOX, r, BitmapFont.GLYPH_WIDTH - 1), "box sides, row " + r);
        }
    }

    @Test
    void widthIsGlyphCountTimesAdvance() {
        assertEquals(0, BitmapFont.width("", 2));
        assertEquals(3 * 6 * 2, BitmapFont.width("a_Z", 2));
        assertEquals(2 * 6 * 3, BitmapFont.width("\uD83D\uDE00é", 3), "a surrogate pair is one glyph");
        assertEquals("abc…", Canvas.fit(Canvas.LABEL, "abcdefgh", 4 * 12));
        assertEquals("abcdefgh", Canvas.fit(Canvas.LABEL, "abcdefgh", 8 * 12));
        assertEquals("\uD83D\uDE00…", Canvas.fit(Canvas.LABEL, "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", 2 * 12),
                "never cut inside a surrogate pair");
    }

    /** 'L' at scale 2: a 2-px-wide stem down the left, a 2-px-high bar along row 6, nothing else. */
    @Test
    void aGlyphIsDrawnScaledWherePlaced() {
        BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 40, 40);
        g.setColor(Color.BLACK);
        BitmapFont.draw(g, "L", 3, 5, 2, false, false);
        g.dispose();
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                int col = (x - 3) / 2, row = (y - 5) / 2;
                boolean inGlyph = x >= 3 && y >= 5 && col < 5 && row < 9;
                boolean expected = inGlyph && (col == 0 && row < 7 || row == 6);
                boolean black = (image.getRGB(x, y) & 0xffffff) == 0;
                assertEquals(expected, black, "pixel (" + x + ", " + y + ")");
            }
        }
    }

    /** Upwards, the glyph's top faces left and its text runs towards the top of the image. */
    @Test
    void upwardTextIsTheGlyphTurnedAQuarterAnticlockwise() {
        BufferedImage flat = new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB);
        BufferedImage up = new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D gf = flat.createGraphics(), gu = up.createGraphics();
        gf.setColor(Color.WHITE);
        gu.setColor(Color.WHITE);
        BitmapFont.draw(gf, "F", 0, 0, 1, false, false);
        BitmapFont.draw(gu, "F", 0, 29, 1, false, true);
        gf.dispose();
        gu.dispose();
        int lit = 0;
        for (int v = 0; v < 9; v++) {
            for (int u = 0; u < 5; u++) {
                // Flat pixel (u, v) lands at (v, 29 - u) when turned.
                assertEquals(flat.getRGB(u, v), up.getRGB(v, 29 - u), "glyph pixel (" + u + ", " + v + ")");
                if ((flat.getRGB(u, v) & 0xffffff) != 0) lit++;
            }
        }
        assertEquals(7 + 4 + 3, lit, "F: a 7-px stem, 4 px of top bar and 3 px of middle bar beside it");
    }
}
