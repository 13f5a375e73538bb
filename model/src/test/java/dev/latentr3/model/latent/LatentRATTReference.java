package dev.latentr3.model.latent;

/**
 * LatentRATT written out in double-precision loops from the method doc's description (§1.2), independent of the
 * engine: the reference the tests compare the engine's F32 forward and gradients with.
 *
 * <p>Parameters are {query, key, value} weights [d][d] (PyTorch layout, out x in) and biases [d].
 */
final class LatentRATTReference {
    private LatentRATTReference() {}

    /** r [B][d] from h [B][L][d], mask [B][L] (1 = real) and each row's thought position t. */
    static double[][] forward(double[][][] h, int[][] mask, int[] t, double[][][] w, double[][] bias) {
        int b = h.length, d = h[0][0].length;
        double[][] r = new double[b][d];
        for (int row = 0; row < b; row++) {
            double[] q = rope(project(w[0], bias[0], h[row][t[row] - 1]), t[row] - 1);
            double[] scores = new double[t[row]];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < t[row]; j++) {
                if (mask[row][j] == 0) continue;
                double[] k = rope(project(w[1], bias[1], h[row][j]), j);
                double s = 0;
                for (int i = 0; i < d; i++) s += q[i] * k[i];
                scores[j] = s / Math.sqrt(d);
                max = Math.max(max, scores[j]);
            }
            double total = 0;
            for (int j = 0; j < t[row]; j++) if (mask[row][j] != 0) total += Math.exp(scores[j] - max);
            for (int j = 0; j < t[row]; j++) {
                if (mask[row][j] == 0) continue;
                double a = Math.exp(scores[j] - max) / total;
                double[] v = project(w[2], bias[2], h[row][j]);
                for (int i = 0; i < d; i++) r[row][i] += a * v[i];
            }
        }
        return r;
    }

    static double[] project(double[][] w, double[] bias, double[] x) {
        double[] y = new double[w.length];
        for (int o = 0; o < w.length; o++) {
            double s = bias[o];
            for (int i = 0; i < x.length; i++) s += w[o][i] * x[i];
            y[o] = s;
        }
        return y;
    }

    /** Rotate-half RoPE, base 1000, over the full d: dimension i pairs with i + d/2, frequency 1000^(-2i/d). */
    static double[] rope(double[] x, int position) {
        int d = x.length, half = d / 2;
        double[] y = new double[d];
        for (int i = 0; i < half; i++) {
            double angle = position * Math.pow(1000.0, -2.0 * i / d);
            double c = Math.cos(angle), s = Math.sin(angle);
            y[i] = x[i] * c - x[i + half] * s;
            y[i + half] = x[i + half] * c + x[i] * s;
        }
        return y;
    }
}
