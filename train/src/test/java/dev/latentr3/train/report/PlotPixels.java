package dev.latentr3.train.report;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;

/** Reading a rendered chart back: which pixels carry a colour (anti-aliased edges are blends, so "near" it). */
final class PlotPixels {
    private PlotPixels() {}

    /** Within tol of c on every channel. */
    static boolean near(BufferedImage image, int x, int y, Color c, int tol) {
        if (x < 0 || y < 0 || x >= image.getWidth() || y >= image.getHeight()) return false;
        int rgb = image.getRGB(x, y);
        return Math.abs(((rgb >> 16) & 0xff) - c.getRed()) <= tol && Math.abs(((rgb >> 8) & 0xff) - c.getGreen()) <= tol
                && Math.abs((rgb & 0xff) - c.getBlue()) <= tol;
    }

    /** Whether any pixel within r of (x, y) is near c. */
    static boolean nearby(BufferedImage image, double x, double y, int r, Color c, int tol) {
        int cx = (int) Math.round(x), cy = (int) Math.round(y);
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) if (near(image, cx + dx, cy + dy, c, tol)) return true;
        }
        return false;
    }

    /** How many pixels inside the rectangle are near c. */
    static int count(BufferedImage image, Rectangle area, Color c, int tol) {
        int n = 0;
        for (int y = area.y; y < area.y + area.height; y++) {
            for (int x = area.x; x < area.x + area.width; x++) if (near(image, x, y, c, tol)) n++;
        }
        return n;
    }
}
