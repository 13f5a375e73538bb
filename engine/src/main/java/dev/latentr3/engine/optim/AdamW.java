package dev.latentr3.engine.optim;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.Storage;

import dev.latentr3.engine.ops.Views;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled weight decay regularization"): Adam's moment estimates with bias
 * correction, and weight decay applied to the weights directly rather than added to the gradient. One fused kernel
 * call per parameter ({@code backend().optimizer().adamw}).
 *
 * <p>The moments m and v are allocated once, owned (outside any scope), when the optimizer is built, so a training
 * loop that runs each step under a {@code TensorScope} allocates nothing that outlives the step: one block per device
 * for all the m and one for all the v, each parameter's moment a view into it at a 64-float boundary. One block per
 * moment of each parameter would cost a device allocator's rounding on every one (blocks over 1 MiB round up to 2 MiB
 * steps): about 0.29 GiB for the two moments of Qwen2.5-0.5B. The learning rate is passed to each {@link #step(double)}
 * so that a schedule stays a pure function of the step outside the optimizer.
 */
public final class AdamW {

    /** Adam's hyper-parameters; PyTorch's defaults are {@link #defaults()}. */
    public record Hyper(double beta1, double beta2, double eps, double weightDecay) {
        public Hyper {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW: betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0)) throw new IllegalArgumentException("AdamW: eps must be > 0, got " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("AdamW: weight decay must be >= 0, got " + weightDecay);
        }

        public static Hyper defaults() {
            return new Hyper(0.9, 0.999, 1e-8, 0.01);
        }

        public Hyper withWeightDecay(double wd) {
            return new Hyper(beta1, beta2, eps, wd);
        }
    }

    /** Decides which parameters are decayed (the two parameter groups). */
    @FunctionalInterface
    public interface DecayRule {
        boolean decays(String name, Tensor param);
    }

    /**
     * The usual rule for transformers: decay matrices (embeddings, projections), not vectors (biases, norm weights),
     * whose decay toward zero would only fight the scale they exist to learn.
     */
    public static final DecayRule MATRICES_ONLY = (name, p) -> p.dim() >= 2;

    private record Slot(String name, Tensor param, Tensor m, Tensor v, boolean decays) {}

    /** Each moment's offset in its device's block is a multiple of this many floats (256 bytes: vector-aligned). */
    static final long SLOT_ALIGN_FLOATS = 64;

    private final List<Slot> slots = new ArrayList<>();
    private final Hyper hyper;
    private long steps;

    public AdamW(Map<String, Tensor> namedParameters, Hyper hyper, DecayRule decayRule) {
        this.hyper = hyper;
        Map<Device, Long> floats = new LinkedHashMap<>();
        long[] offsets = new long[namedParameters.size()];
        int i = 0;
        for (var e : namedParameters.entrySet()) {
            Tensor p = e.getValue();
            p.checkAlive("AdamW");
            if (p.dtype() != DType.F32 || !p.isContiguous() || !p.requiresGrad()) {
                throw new IllegalArgumentException("AdamW: parameter " + e.getKey() + " " + p.describe()
                        + " must be a contiguous F32 tensor that requires grad");
            }
            long at = floats.getOrDefault(p.device(), 0L);
            offsets[i++] = at;
            floats.put(p.device(), at + Math.ceilDiv(Math.max(1, p.numel()), SLOT_ALIGN_FLOATS) * SLOT_ALIGN_FLOATS);
        }
        Map<Device, Storage> mBlocks = new LinkedHashMap<>(), vBlocks = new LinkedHashMap<>();
        floats.forEach((device, n) -> {
            mBlocks.put(device, Storage.owned(device, n * Float.BYTES));
            vBlocks.put(device, Storage.owned(device, n * Float.BYTES));
        });
        i = 0;
        for (var e : namedParameters.entrySet()) {
            Tensor p = e.getValue();
            long at = offsets[i++];
            slots.add(new Slot(e.getKey(), p, zeroedView(mBlocks.get(p.device()), at, p.shape()),
                    zeroedView(vBlocks.get(p.device()), at, p.shape()), decayRule.decays(e.getKey(), p)));
        }
    }

    /** A contiguous F32 view of {@code shape} at float {@code offset} of {@code block}, filled with zeros. */
    private static Tensor zeroedView(Storage block, long offset, int[] shape) {
        Tensor t = new Tensor(block, DType.F32, shape.clone(), Shapes.contiguousStrides(shape), offset);
        t.backend().elementwise().fill(t.numel(), 0f, t.data());
        return t;
    }

    /**
     * One update of every parameter that has a gradient, at learning rate lr. Parameters without a gradient (unused
     * in this step's graph) are left alone, moments included.
     */
    public void step(double lr) {
        steps++;
        float c1 = (float) (1 - Math.pow(hyper.beta1(), steps));
        float c2 = (float) (1 - Math.pow(hyper.beta2(), steps));
        for (Slot s : slots) {
            Tensor g = s.param.grad();
            if (g == null) continue;
            s.param.checkAlive("AdamW.step");
            s.param.backend().optimizer().adamw(s.param.numel(), s.param.data(), g.data(), s.m.data(), s.v.data(),
                    (float) lr, (float) hyper.beta1(), (float) hyper.beta2(), (float) hyper.eps(),
                    s.decays ? (float) hyper.weightDecay() : 0f, c1, c2);
        }
    }

    /** Zeroes every gradient in place, keeping its memory for the next step. */
    public void zeroGrad() {
        for (Slot s : slots) s.param.zeroGradInPlace();
    }

    /** Updates taken so far (t in the bias corrections). */
    public long stepCount() {
        return steps;
    }

    public Hyper hyper() {
        return hyper;
    }

    /** One parameter's moment estimates: Adam's m (exp_avg) and v (exp_avg_sq). */
    public record Moments(Tensor m, Tensor v) {}

    /**
     * The live moments by parameter name, in construction order, for checkpoints: the optimizer's own owned tensors,
     * to be read (written to a file) before the next step, not kept.
     */
    public SequencedMap<String, Moments> moments() {
        SequencedMap<String, Moments> out = new LinkedHashMap<>();
        for (Slot s : slots) out.put(s.name, new Moments(s.m, s.v));
        return out;
    }

    /**
     * Resumes from a checkpoint: copies every parameter's saved moments into this optimizer's and sets the update
     * count, so the next {@link #step} is exactly the one the saved optimizer would have taken. Every parameter must
     * have moments of its shape in {@code saved}.
     */
    public void restore(long stepCount, Map<String, Moments> saved) {
        if (stepCount < 0) throw new IllegalArgumentException("AdamW.restore: step count must be >= 0, got " + stepCount);
        for (Slot s : slots) {
            Moments m = saved.get(s.name);
            if (m == null) throw new IllegalArgumentException("AdamW.restore: no saved moments for parameter " + s.name);
            if (!Arrays.equals(m.m().shape(), s.m.shape()) || !Arrays.equals(m.v().shape(), s.v.shape())) {
                throw new IllegalArgumentException("AdamW.restore: moments " + m.m().describe() + ", " + m.v().describe()
                        + " of " + s.name + " do not match its shape " + Arrays.toString(s.m.shape()));
            }
            Views.copyInto(s.m, m.m());
            Views.copyInto(s.v, m.v());
        }
        steps = stepCount;
    }

    /** Names of the parameters that are decayed, in order (to log the parameter groups). */
    public List<String> decayedParameters() {
        return slots.stream().filter(Slot::decays).map(Slot::name).toList();
    }
}
