package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.RowKernels;

import java.lang.foreign.MemorySegment;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.getInt;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * The row kernels as plain scalar loops with double accumulators: the oracle that {@link FastRows} is checked
 * against. Kept simple on purpose; speed is FastRows' job.
 */
public final class ReferenceRows implements RowKernels {

    @Override
    public void softmax(int rows, int cols, MemorySegment x, MemorySegment y) {
        RowArgs.matrix("softmax", rows, cols, "x", x, "y", y);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            float max = rowMax(x, base, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.exp(getFloat(x, base + j) - max);
            for (int j = 0; j < cols; j++) setFloat(y, base + j, (float) (Math.exp(getFloat(x, base + j) - max) / sum));
        }
    }

    @Override
    public void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        RowArgs.matrix("softmaxBackward", rows, cols, "y", y, "dy", dy, "dx", dx);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += (double) getFloat(dy, base + j) * getFloat(y, base + j);
            for (int j = 0; j < cols; j++) {
                setFloat(dx, base + j, (float) (getFloat(y, base + j) * (getFloat(dy, base + j) - dot)));
            }
        }
    }

    @Override
    public void logSoftmax(int rows, int cols, MemorySegment x, MemorySegment y) {
        RowArgs.matrix("logSoftmax", rows, cols, "x", x, "y", y);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double lse = logSumExp(x, base, cols);
            for (int j = 0; j < cols; j++) setFloat(y, base + j, (float) (getFloat(x, base + j) - lse));
        }
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        RowArgs.matrix("logSoftmaxBackward", rows, cols, "y", y, "dy", dy, "dx", dx);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += getFloat(dy, base + j);
            for (int j = 0; j < cols; j++) {
                setFloat(dx, base + j, (float) (getFloat(dy, base + j) - Math.exp(getFloat(y, base + j)) * sum));
            }
        }
    }

    @Override
    public void rmsNorm(int rows, int dim, MemorySegment x, MemorySegment weight, float eps, MemorySegment y,
                        MemorySegment rstd) {
        RowArgs.rmsNorm("rmsNorm", rows, dim, x, weight, rstd, "y", y);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * dim;
            double ss = 0;
            for (int j = 0; j < dim; j++) {
                double v = getFloat(x, base + j);
                ss += v * v;
            }
            double rs = 1.0 / Math.sqrt(ss / dim + eps);
            setFloat(rstd, r, (float) rs);
            for (int j = 0; j < dim; j++) {
                setFloat(y, base + j, (float) (getFloat(x, base + j) * rs * getFloat(weight, j)));
            }
        }
    }

    /**
     * With xhat = x * rstd and g = dy * weight: dx = rstd * (g - xhat * mean(g * xhat)), which is the chain rule
     * through rstd = (mean(x^2) + eps)^(-1/2); dWeight += sum over rows of dy * xhat.
     */
    @Override
    public void rmsNormBackward(int rows, int dim, MemorySegment x, MemorySegment weight, MemorySegment rstd,
                                MemorySegment dy, MemorySegment dx, MemorySegment dWeight) {
        RowArgs.rmsNorm("rmsNormBackward", rows, dim, x, weight, rstd, "dy", dy);
        RowArgs.holds("rmsNormBackward", "dx", dx, (long) rows * dim);
        RowArgs.holds("rmsNormBackward", "dWeight", dWeight, dim);
        double[] dw = new double[dim];
        for (int r = 0; r < rows; r++) {
            long base = (long) r * dim;
            double rs = getFloat(rstd, r);
            double dot = 0;
            for (int j = 0; j < dim; j++) {
                double xhat = getFloat(x, base + j) * rs;
                double g = (double) getFloat(dy, base + j) * getFloat(weight, j);
                dot += g * xhat;
                dw[j] += getFloat(dy, base + j) * xhat;
            }
            double mean = dot / dim;
            for (int j = 0; j < dim; j++) {
                double xhat = getFloat(x, base + j) * rs;
                double g = (double) getFloat(dy, base + j) * getFloat(weight, j);
                setFloat(dx, base + j, (float) (rs * (g - xhat * mean)));
            }
        }
        for (int j = 0; j < dim; j++) setFloat(dWeight, j, (float) (getFloat(dWeight, j) + dw[j]));
    }

    @Override
    public void rope(int tokens, int heads, int headDim, int rotaryDim, double theta, MemorySegment positions,
                     boolean inverse, MemorySegment x, MemorySegment y) {
        RowArgs.rope(tokens, heads, headDim, rotaryDim, theta, positions, x, y);
        int half = rotaryDim / 2;
        for (int t = 0; t < tokens; t++) {
            int pos = getInt(positions, t);
            for (int h = 0; h < heads; h++) {
                long base = ((long) t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double angle = pos * Math.pow(theta, -2.0 * i / rotaryDim);
                    double c = Math.cos(angle), s = inverse ? -Math.sin(angle) : Math.sin(angle);
                    double a = getFloat(x, base + i), b = getFloat(x, base + half + i);
                    setFloat(y, base + i, (float) (a * c - b * s));
                    setFloat(y, base + half + i, (float) (b * c + a * s));
                }
                for (int j = rotaryDim; j < headDim; j++) setFloat(y, base + j, getFloat(x, base + j));
            }
        }
    }

    @Override
    public void swiglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        RowArgs.flat("swiglu", n, "gate", gate, "up", up, "out", out);
        for (long i = 0; i < n; i++) {
            double g = getFloat(gate, i);
            setFloat(out, i, (float) (g * sigmoid(g) * getFloat(up, i)));
        }
    }

    /** silu'(g) = s * (1 + g * (1 - s)) with s = sigmoid(g). */
    @Override
    public void swigluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate,
                               MemorySegment dUp) {
        RowArgs.flat("swigluBackward", n, "gate", gate, "up", up, "dOut", dOut);
        RowArgs.flat("swigluBackward", n, "dGate", dGate, "dUp", dUp, "dOut", dOut);
        for (long i = 0; i < n; i++) {
            double g = getFloat(gate, i), u = getFloat(up, i), d = getFloat(dOut, i);
            double s = sigmoid(g);
            setFloat(dGate, i, (float) (d * u * s * (1 + g * (1 - s))));
            setFloat(dUp, i, (float) (d * g * s));
        }
    }

    @Override
    public void logProbGather(int rows, int vocab, MemorySegment logits, MemorySegment targets, int ignoreIndex,
                              MemorySegment logp, MemorySegment lse) {
        RowArgs.logProb("logProbGather", rows, vocab, logits, targets, ignoreIndex, "logp", logp, "lse", lse);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * vocab;
            double l = logSumExp(logits, base, vocab);
            setFloat(lse, r, (float) l);
            int t = getInt(targets, r);
            setFloat(logp, r, t == ignoreIndex ? 0f : (float) (getFloat(logits, base + t) - l));
        }
    }

    @Override
    public void logProbGatherBackward(int rows, int vocab, MemorySegment logits, MemorySegment targets,
                                      int ignoreIndex, MemorySegment lse, MemorySegment dLogp,
                                      MemorySegment dLogits) {
        RowArgs.logProb("logProbGatherBackward", rows, vocab, logits, targets, ignoreIndex, "lse", lse, "dLogp", dLogp);
        RowArgs.holds("logProbGatherBackward", "dLogits", dLogits, (long) rows * vocab);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * vocab;
            int t = getInt(targets, r);
            if (t == ignoreIndex) {
                for (int j = 0; j < vocab; j++) setFloat(dLogits, base + j, 0f);
                continue;
            }
            double d = getFloat(dLogp, r), l = getFloat(lse, r);
            for (int j = 0; j < vocab; j++) {
                double p = Math.exp(getFloat(logits, base + j) - l);
                setFloat(dLogits, base + j, (float) (d * ((j == t ? 1 : 0) - p)));
            }
        }
    }

    private static double sigmoid(double g) {
        return 1.0 / (1.0 + Math.exp(-g));
    }

    private static float rowMax(MemorySegment x, long base, int cols) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) max = Math.max(max, getFloat(x, base + j));
        return max;
    }

    /** Subtracting the row max first keeps exp in range for any finite logits. */
    private static double logSumExp(MemorySegment x, long base, int cols) {
        float max = rowMax(x, base, cols);
        double sum = 0;
        for (int j = 0; j < cols; j++) sum += Math.exp(getFloat(x, base + j) - max);
        return max + Math.log(sum);
    }
}
