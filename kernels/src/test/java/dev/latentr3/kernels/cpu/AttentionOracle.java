package dev.latentr3.kernels.cpu;

/**
 * An independent float64 attention for tiny problems, written differently from {@link ReferenceAttention} on purpose:
 * whole Lq x Lk matrices per head, a visibility matrix instead of a row test, and the backward's row term taken as
 * sum_j P_ij dP_ij rather than dO_i . O_i. Used as the ground truth for the reference and for finite differences.
 */
final class AttentionOracle {

    /** Token-major double copies of the kernel inputs; {@code mask} is null or [batch][lk] (true = attend). */
    record Problem(int batch, int lq, int lk, int hq, int hkv, int d, double scale, boolean causal, boolean[][] mask,
                   double[] q, double[] k, double[] v) {

        Problem with(double[] q, double[] k, double[] v) {
            return new Problem(batch, lq, lk, hq, hkv, d, scale, causal, mask, q, k, v);
        }

        int qAt(int b, int i, int h, int x) {
            return ((b * lq + i) * hq + h) * d + x;
        }

        int kAt(int b, int j, int g, int x) {
            return ((b * lk + j) * hkv + g) * d + x;
        }

        int lseAt(int b, int h, int i) {
            return (b * hq + h) * lq + i;
        }

        boolean[][] visible(int b) {
            boolean[][] vis = new boolean[lq][lk];
            for (int i = 0; i < lq; i++) {
                for (int j = 0; j < lk; j++) {
                    boolean byTime = !causal || j - (lk - lq) <= i;
                    vis[i][j] = byTime && (mask == null || mask[b][j]);
                }
            }
            return vis;
        }
    }

    record Forward(double[] out, double[] lse) {}

    record Grads(double[] dq, double[] dk, double[] dv) {}

    /** P for head (b, h): rows that see nothing are all zero. */
    private static double[][] probabilities(Problem p, int b, int h, double[] lseOut) {
        int g = h / (p.hq / p.hkv);
        boolean[][] vis = p.visible(b);
        double[][] prob = new double[p.lq][p.lk];
        for (int i = 0; i < p.lq; i++) {
            double[] s = new double[p.lk];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < p.lk; j++) {
                if (!vis[i][j]) continue;
                for (int x = 0; x < p.d; x++) s[j] += p.q[p.qAt(b, i, h, x)] * p.k[p.kAt(b, j, g, x)];
                s[j] *= p.scale;
                max = Math.max(max, s[j]);
            }
            double z = 0;
            for (int j = 0; j < p.lk; j++) if (vis[i][j]) z += Math.exp(s[j] - max);
            for (int j = 0; j < p.lk; j++) prob[i][j] = vis[i][j] ? Math.exp(s[j] - max) / z : 0;
            if (lseOut != null) lseOut[p.lseAt(b, h, i)] = z == 0 ? Double.NEGATIVE_INFINITY : max + Math.log(z);
        }
        return prob;
    }

    static Forward forward(Problem p) {
        double[] out = new double[p.batch * p.lq * p.hq * p.d], lse = new double[p.batch * p.hq * p.lq];
        for (int b = 0; b < p.batch; b++) {
            for (int h = 0; h < p.hq; h++) {
                int g = h / (p.hq / p.hkv);
                double[][] prob = probabilities(p, b, h, lse);
                for (int i = 0; i < p.lq; i++) {
                    for (int x = 0; x < p.d; x++) {
                        double o = 0;
                        for (int j = 0; j < p.lk; j++) o += prob[i][j] * p.v[p.kAt(b, j, g, x)];
                        out[p.qAt(b, i, h, x)] = o;
                    }
                }
            }
        }
        return new Forward(out, lse);
    }

    static Grads backward(Problem p, double[] dOut) {
        double[] dq = new double[p.q.length], dk = new double[p.k.length], dv = new double[p.v.length];
        for (int b = 0; b < p.batch; b++) {
            for (int h = 0; h < p.hq; h++) {
                int g = h / (p.hq / p.hkv);
                double[][] prob = probabilities(p, b, h, null);
                for (int i = 0; i < p.lq; i++) {
                    double[] dP = new double[p.lk];
                    double rowTerm = 0;
                    for (int j = 0; j < p.lk; j++) {
                        for (int x = 0; x < p.d; x++) dP[j] += dOut[p.qAt(b, i, h, x)] * p.v[p.kAt(b, j, g, x)];
                        rowTerm += prob[i][j] * dP[j];
                    }
                    for (int j = 0; j < p.lk; j++) {
                        double dS = prob[i][j] * (dP[j] - rowTerm);
                        for (int x = 0; x < p.d; x++) {
                            dq[p.qAt(b, i, h, x)] += p.scale * dS * p.k[p.kAt(b, j, g, x)];
                            dk[p.kAt(b, j, g, x)] += p.scale * dS * p.q[p.qAt(b, i, h, x)];
                            dv[p.kAt(b, j, g, x)] += prob[i][j] * dOut[p.qAt(b, i, h, x)];
                        }
                    }
                }
            }
        }
        return new Grads(dq, dk, dv);
    }

    /** sum(out * r), the scalar whose gradient the backward computes when dOut = r. */
    static double loss(Problem p, double[] r) {
        double[] out = forward(p).out();
        double s = 0;
        for (int i = 0; i < out.length; i++) s += out[i] * r[i];
        return s;
    }

    /** Central differences of {@link #loss} with respect to every element of q, k and v. */
    static Grads finiteDifferences(Problem p, double[] r, double eps) {
        double[][] grads = new double[3][];
        for (int which = 0; which < 3; which++) {
            double[] x = (which == 0 ? p.q : which == 1 ? p.k : p.v).clone();
            double[] grad = new double[x.length];
            for (int e = 0; e < x.length; e++) {
                double keep = x[e];
                x[e] = keep + eps;
                double up = loss(substitute(p, which, x), r);
                x[e] = keep - eps;
                double down = loss(substitute(p, which, x), r);
                x[e] = keep;
                grad[e] = (up - down) / (2 * eps);
            }
            grads[which] = grad;
        }
        return new Grads(grads[0], grads[1], grads[2]);
    }

    private static Problem substitute(Problem p, int which, double[] x) {
        return p.with(which == 0 ? x : p.q, which == 1 ? x : p.k, which == 2 ? x : p.v);
    }
}
