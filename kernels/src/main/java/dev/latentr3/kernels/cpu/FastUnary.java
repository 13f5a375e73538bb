package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.ElementwiseKernels.Unary;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * Vector loops of the unary maps and their backward over a contiguous stretch [from, to). As in {@link FastBinary},
 * each case stores its own result so that the operator is a constant and no vector crosses a merge point.
 *
 * <p>Determinism across JIT tiers (the same bits interpreted, under C1 and under C2): EXP, SIGMOID and SILU use
 * {@link VectorExp#exp}, each in its own loop method, since a method with several inlined polynomial exps exceeds C2's
 * inlining budget. LOG and TANH run the reference's scalar Math.log / Math.tanh per element rather than the Vector
 * API's LOG / TANH operators, whose C2 intrinsic (SVML) and Java fallback (Math per lane) round differently; HotSpot
 * runs Math's intrinsics through the same stubs in the interpreter and compiled code, so these agree with themselves
 * and with the reference (KernelDeterminismTest checks it).
 */
final class FastUnary {
    private FastUnary() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    static void forward(Unary op, MemorySegment x, MemorySegment out, long from, long to) {
        switch (op) {
            case EXP -> exp(x, out, from, to);
            case SILU -> silu(x, out, from, to);
            case SIGMOID -> sigmoid(x, out, from, to);
            case LOG, TANH -> scalar(op, x, out, from, to);
            default -> algebraic(op, x, out, from, to);
        }
    }

    /** The maps built from exactly rounded vector operations (IEEE add, div, sqrt and friends). */
    private static void algebraic(Unary op, MemorySegment x, MemorySegment out, long from, long to) {
        FloatVector one = FloatVector.broadcast(F, 1f), zero = FloatVector.zero(F);
        long i = from, bound = from + F.loopBound(to - from);
        for (; i < bound; i += F.length()) {
            long at = i * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(F, x, at, NATIVE);
            switch (op) {
                case NEG -> v.neg().intoMemorySegment(out, at, NATIVE);
                case SQRT -> v.sqrt().intoMemorySegment(out, at, NATIVE);
                case RSQRT -> one.div(v.sqrt()).intoMemorySegment(out, at, NATIVE);
                case ABS -> v.abs().intoMemorySegment(out, at, NATIVE);
                case RELU -> v.max(zero).intoMemorySegment(out, at, NATIVE);
                default -> throw new IllegalStateException("FastUnary.algebraic: no vector loop for " + op);
            }
        }
        scalar(op, x, out, i, to);
    }

    private static void exp(MemorySegment x, MemorySegment out, long from, long to) {
        long i = from, bound = from + F.loopBound(to - from);
        for (; i < bound; i += F.length()) {
            long at = i * Float.BYTES;
            VectorExp.exp(FloatVector.fromMemorySegment(F, x, at, NATIVE)).intoMemorySegment(out, at, NATIVE);
        }
        scalar(Unary.EXP, x, out, i, to);
    }

    private static void silu(MemorySegment x, MemorySegment out, long from, long to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        long i = from, bound = from + F.loopBound(to - from);
        for (; i < bound; i += F.length()) {
            long at = i * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(F, x, at, NATIVE);
            v.div(one.add(VectorExp.exp(v.neg()))).intoMemorySegment(out, at, NATIVE);
        }
        scalar(Unary.SILU, x, out, i, to);
    }

    private static void sigmoid(MemorySegment x, MemorySegment out, long from, long to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        long i = from, bound = from + F.loopBound(to - from);
        for (; i < bound; i += F.length()) {
            long at = i * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(F, x, at, NATIVE);
            one.div(one.add(VectorExp.exp(v.neg()))).intoMemorySegment(out, at, NATIVE);
        }
        scalar(Unary.SIGMOID, x, out, i, to);
    }

    private static void scalar(Unary op, MemorySegment x, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) setFloat(out, i, ReferenceElementwise.apply(op, getFloat(x, i)));
    }

    /** dx = dy * op'(.) from x or y as {@link ReferenceElementwise#readsInput}/{@code readsOutput} say. */
    static void backward(Unary op, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment dx,
                         long from, long to) {
        MemorySegment src = ReferenceElementwise.readsInput(op) ? x : ReferenceElementwise.readsOutput(op) ? y : dy;
        FloatVector one = FloatVector.broadcast(F, 1f), zero = FloatVector.zero(F);
        FloatVector half = FloatVector.broadcast(F, 0.5f), minusHalf = FloatVector.broadcast(F, -0.5f);
        long i = from, bound = from + F.loopBound(to - from);
        for (; i < bound; i += F.length()) {
            long at = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(F, dy, at, NATIVE);
            FloatVector v = FloatVector.fromMemorySegment(F, src, at, NATIVE);
            switch (op) {
                case NEG -> g.neg().intoMemorySegment(dx, at, NATIVE);
                case EXP -> g.mul(v).intoMemorySegment(dx, at, NATIVE);
                case LOG -> g.mul(one.div(v)).intoMemorySegment(dx, at, NATIVE);
                case SQRT -> g.mul(half.div(v)).intoMemorySegment(dx, at, NATIVE);
                case RSQRT -> g.mul(minusHalf.mul(v).mul(v).mul(v)).intoMemorySegment(dx, at, NATIVE);
                case ABS -> g.mul(zero.blend(one, v.compare(VectorOperators.GT, 0f))
                                .blend(one.neg(), v.compare(VectorOperators.LT, 0f)))
                        .intoMemorySegment(dx, at, NATIVE);
                case SILU -> {
                    FloatVector s = one.div(one.add(VectorExp.exp(v.neg())));
                    g.mul(s.mul(one.add(v.mul(one.sub(s))))).intoMemorySegment(dx, at, NATIVE);
                }
                case SIGMOID -> g.mul(v.mul(one.sub(v))).intoMemorySegment(dx, at, NATIVE);
                case TANH -> g.mul(one.sub(v.mul(v))).intoMemorySegment(dx, at, NATIVE);
                case RELU -> g.mul(zero.blend(one, v.compare(VectorOperators.GT, 0f))).intoMemorySegment(dx, at, NATIVE);
            }
        }
        for (; i < to; i++) {
            float xi = ReferenceElementwise.readsInput(op) ? getFloat(x, i) : 0f;
            float yi = ReferenceElementwise.readsOutput(op) ? getFloat(y, i) : 0f;
            setFloat(dx, i, getFloat(dy, i) * ReferenceElementwise.derivative(op, xi, yi));
        }
    }
}
