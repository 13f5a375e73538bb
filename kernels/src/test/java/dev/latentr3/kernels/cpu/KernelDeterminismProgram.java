package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Backend;
import dev.latentr3.kernels.ElementwiseKernels.Reduce;
import dev.latentr3.kernels.ElementwiseKernels.Unary;
import dev.latentr3.kernels.KernelCheck;
import dev.latentr3.kernels.Segments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fixed set of fast-kernel calls on small fixed inputs, each summarised by a hash of its output bits. Run as a
 * child JVM with -Xint by {@link KernelDeterminismTest} (every Vector API call then takes its Java fallback) and in the
 * test's own JVM after a warm-up that gets the kernels compiled by C2 (intrinsics): the hashes must agree.
 *
 * <p>Shapes are tiny because -Xint is slow, but each is chosen to reach a particular code path: odd lengths (vector
 * tails), GEMMs on the skinny dot and axpy kernels and on the packed path, a log-prob row longer than one
 * log-sum-exp block. Main prints "name hash" lines; with an argument N it first runs the set N times (a warm-up, and
 * a way to exercise every kernel under -XX:+PrintCompilation).
 */
public final class KernelDeterminismProgram {
    private KernelDeterminismProgram() {}

    public static void main(String[] args) {
        int warmups = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        for (Map.Entry<String, String> e : run(warmups).entrySet()) System.out.println(e.getKey() + " " + e.getValue());
    }

    /** Runs the set warmups + 1 times and returns the hashes of the last run, in a fixed order. */
    static Map<String, String> run(int warmups) {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 0; i <= warmups; i++) {
            hashes.clear();
            try (Arena arena = Arena.ofShared()) {
                runOnce(CpuBackends.fast(), arena, hashes);
            }
        }
        return hashes;
    }

    private static void runOnce(Backend be, Arena arena, Map<String, String> h) {
        gemm(be, arena, h, "gemm.dot", false, true, 5, 37, 45);
        gemm(be, arena, h, "gemm.dotT", true, true, 3, 41, 70);
        gemm(be, arena, h, "gemm.axpy", false, false, 5, 37, 45);
        gemm(be, arena, h, "gemm.skinnyA", false, true, 37, 5, 45);
        gemm(be, arena, h, "gemm.blocked", false, false, 100, 97, 50);
        gemm(be, arena, h, "gemm.blockedT", true, true, 99, 101, 33);
        rows(be, arena, h);
        unary(be, arena, h);
        reduce(be, arena, h);
        attention(be, arena, h);
        adamw(be, arena, h);
    }

    private static MemorySegment rnd(Arena arena, long n, long seed) {
        return KernelCheck.randomFloats(arena, n, seed, -3f, 3f);
    }

    private static MemorySegment out(Arena arena, long n) {
        return arena.allocate(n * Float.BYTES, 64);
    }

    private static void gemm(Backend be, Arena arena, Map<String, String> h, String name, boolean ta, boolean tb,
                             int m, int n, int k) {
        MemorySegment a = rnd(arena, (long) m * k, 1), b = rnd(arena, (long) k * n, 2), c = rnd(arena, (long) m * n, 3);
        be.gemm().sgemm(ta, tb, m, n, k, 0.7f, a, ta ? m : k, b, tb ? k : n, 0.3f, c, n);
        h.put(name, hash(c));
    }

    private static void rows(Backend be, Arena arena, Map<String, String> h) {
        int r = 3, c = 37, vocab = 2500;
        MemorySegment x = rnd(arena, (long) r * c, 4), dy = rnd(arena, (long) r * c, 5), y = out(arena, (long) r * c);
        MemorySegment dx = out(arena, (long) r * c);
        be.rows().softmax(r, c, x, y);
        be.rows().softmaxBackward(r, c, y, dy, dx);
        h.put("softmax", hash(y));
        h.put("softmaxBackward", hash(dx));
        be.rows().logSoftmax(r, c, x, y);
        be.rows().logSoftmaxBackward(r, c, y, dy, dx);
        h.put("logSoftmax", hash(y));
        h.put("logSoftmaxBackward", hash(dx));

        MemorySegment w = KernelCheck.randomFloats(arena, c, 6, 0.5f, 1.5f), rstd = out(arena, r);
        MemorySegment dw = rnd(arena, c, 7);
        be.rows().rmsNorm(r, c, x, w, 1e-6f, y, rstd);
        h.put("rmsNorm", hash(y) + "/" + hash(rstd));
        be.rows().rmsNormBackward(r, c, x, w, rstd, dy, dx, dw);
        h.put("rmsNormBackward", hash(dx) + "/" + hash(dw));

        MemorySegment up = rnd(arena, (long) r * c, 8), dUp = out(arena, (long) r * c);
        be.rows().swiglu((long) r * c, x, up, y);
        h.put("swiglu", hash(y));
        be.rows().swigluBackward((long) r * c, x, up, dy, dx, dUp);
        h.put("swigluBackward", hash(dx) + "/" + hash(dUp));

        int heads = 2, headDim = 18;
        MemorySegment rx = rnd(arena, 3L * heads * headDim, 9), ry = out(arena, 3L * heads * headDim);
        be.rows().rope(3, heads, headDim, 16, 10000.0, KernelCheck.randomInts(arena, 3, 10, 50), false, rx, ry);
        h.put("rope", hash(ry));

        MemorySegment logits = KernelCheck.randomFloats(arena, (long) r * vocab, 11, -8f, 8f);
        MemorySegment targets = KernelCheck.randomInts(arena, r, 12, vocab), logp = out(arena, r), lse = out(arena, r);
        MemorySegment dLogp = rnd(arena, r, 13), dLogits = out(arena, (long) r * vocab);
        be.rows().logProbGather(r, vocab, logits, targets, -100, logp, lse);
        h.put("logProbGather", hash(logp) + "/" + hash(lse));
        be.rows().logProbGatherBackward(r, vocab, logits, targets, -100, lse, dLogp, dLogits);
        h.put("logProbGatherBackward", hash(dLogits));
    }

    private static void unary(Backend be, Arena arena, Map<String, String> h) {
        long n = 77;
        MemorySegment x = rnd(arena, n, 14), pos = KernelCheck.randomFloats(arena, n, 15, 0.01f, 30f);
        MemorySegment y = out(arena, n), dy = rnd(arena, n, 16), dx = out(arena, n);
        for (Unary op : Unary.values()) {
            MemorySegment in = op == Unary.LOG || op == Unary.SQRT || op == Unary.RSQRT ? pos : x;
            be.elementwise().unary(op, n, in, y);
            be.elementwise().unaryBackward(op, n, in, y, dy, dx);
            h.put("unary." + op, hash(y) + "/" + hash(dx));
        }
    }

    private static void reduce(Backend be, Arena arena, Map<String, String> h) {
        MemorySegment x = rnd(arena, 3L * 45 * 7, 17), out = out(arena, 3L * 7);
        be.elementwise().reduce(Reduce.SUM, 3, 45, 7, x, out, null);
        h.put("reduce.SUM.inner7", hash(out));
        be.elementwise().reduce(Reduce.SUM, 7, 45, 1, x, out, null);
        h.put("reduce.SUM.inner1", hash(out));
        MemorySegment idx = out(arena, 3L * 7);
        be.elementwise().reduce(Reduce.MAX, 7, 45, 1, x, out, idx);
        h.put("reduce.MAX", hash(out) + "/" + hash(idx));
        MemorySegment big = rnd(arena, 1001, 18);
        h.put("sumOfSquares", Long.toHexString(Double.doubleToRawLongBits(be.elementwise().sumOfSquares(1001, big))));
    }

    private static void attention(Backend be, Arena arena, Map<String, String> h) {
        int batch = 2, lq = 9, lk = 11, hq = 4, hkv = 2, d = 16;
        long qn = (long) batch * lq * hq * d, kvn = (long) batch * lk * hkv * d, lsen = (long) batch * hq * lq;
        MemorySegment q = rnd(arena, qn, 19), k = rnd(arena, kvn, 20), v = rnd(arena, kvn, 21), dOut = rnd(arena, qn, 22);
        MemorySegment mask = KernelCheck.randomInts(arena, (long) batch * lk, 23, 4);
        mask.setAtIndex(Segments.I32, lk - 1, 1);
        mask.setAtIndex(Segments.I32, 2L * lk - 1, 1);
        MemorySegment o = out(arena, qn), lse = out(arena, lsen), dq = out(arena, qn), dk = out(arena, kvn),
                dv = out(arena, kvn);
        be.attention().attention(batch, lq, lk, hq, hkv, d, 0.25f, true, q, k, v, mask, o, lse);
        h.put("attention", hash(o) + "/" + hash(lse));
        be.attention().attentionBackward(batch, lq, lk, hq, hkv, d, 0.25f, true, q, k, v, mask, o, lse, dOut, dq, dk, dv);
        h.put("attentionBackward", hash(dq) + "/" + hash(dk) + "/" + hash(dv));
    }

    private static void adamw(Backend be, Arena arena, Map<String, String> h) {
        long n = 101;
        MemorySegment p = rnd(arena, n, 24), g = rnd(arena, n, 25), m = rnd(arena, n, 26);
        MemorySegment v = KernelCheck.randomFloats(arena, n, 27, 0f, 2f);
        be.optimizer().adamw(n, p, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 0.19f, 0.002f);
        h.put("adamw", hash(p) + "/" + hash(m) + "/" + hash(v));
    }

    /** FNV-1a over the segment's bytes, as 16 hex digits. */
    private static String hash(MemorySegment s) {
        long x = 0xcbf29ce484222325L;
        for (long i = 0; i < s.byteSize(); i++) {
            x ^= s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xff;
            x *= 0x100000001b3L;
        }
        return String.format("%016x", x);
    }
}
