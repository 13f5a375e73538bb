package dev.latentr3.train.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Stroke;

/**
 * Series colours from the Okabe–Ito palette, which stays distinguishable under the common colour-vision
 * deficiencies (and in greyscale, mostly). Its yellow is last: it is hard to see on white. Past eight series the
 * colours repeat with a dashed line, so two series never look the same.
 */
final class Palette {
    private Palette() {}

    private static final Color[] COLOURS = {
        new Color(0, 114, 178),   // blue
        new Color(213, 94, 0),    // vermillion
        new Color(0, 158, 115),   // bluish green
        new Color(230, 159, 0),   // orange
        new Color(204, 121, 167), // reddish purple
        new Color(86, 180, 233),  // sky blue
        new Color(0, 0, 0),       // black
        new Color(240, 228, 66),  // yellow
    };

    static final float LINE_WIDTH = 2f;

    static Color colour(int index) {
        return COLOURS[index % COLOURS.length];
    }

    static int size() {
        return COLOURS.length;
    }

    static Stroke stroke(int index) {
        int round = index / COLOURS.length;
        if (round == 0) return new BasicStroke(LINE_WIDTH, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        float dash = 4f + 4f * round;
        return new BasicStroke(LINE_WIDTH, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {dash, 4f}, 0f);
    }
}
