package dev.latentr3.train.rl;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.OwnedTensors;
import dev.latentr3.engine.memory.TensorScope;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * The noise scale sigma of LR-GRPO at run time: the fixed hyper-parameter, or (see {@link SigmaLearning}) the trained
 * parameter {@value #NAME}, log sigma of shape [1] or [d], whose sigma = exp(log sigma) is an autograd node so that
 * the gradient of x = r + sigma * eps reaches it.
 */
public final class NoiseScale {
    /** The parameter's name in checkpoints and the optimizer. */
    public static final String NAME = "latent_noise.log_sigma";

    private final float fixed;
    private final int hidden;
    private final SigmaLearning learning;
    private final Tensor logSigma; // null when fixed

    NoiseScale(LrGrpoConfig config, int hidden) {
        this.fixed = config.sigma();
        this.hidden = hidden;
        this.learning = config.sigmaLearning();
        if (learning.learned()) {
            Tensor t = OwnedTensors.full((float) Math.log(config.sigma()), learning.perDimension() ? hidden : 1);
            this.logSigma = t.named(NAME).requiresGrad(true);
        } else {
            this.logSigma = null;
        }
    }

    public boolean learned() {
        return logSigma != null;
    }

    /** The trained parameter by name ({@value #NAME}), or nothing for a fixed sigma. */
    public SequencedMap<String, Tensor> namedParameters() {
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        if (logSigma != null) m.put(NAME, logSigma);
        return m;
    }

    /** sigma per latent dimension, d values (all equal for a fixed or scalar sigma). */
    public float[] values() {
        float[] out = new float[hidden];
        if (logSigma == null) {
            Arrays.fill(out, fixed);
            return out;
        }
        float[] s;
        try (var noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            s = logSigma.exp().toFloatArray();
        }
        for (int j = 0; j < hidden; j++) out[j] = s.length == 1 ? s[0] : s[j];
        return out;
    }

    /** sigma = exp(log sigma) as an autograd node, F32 [1] or [d] (broadcasts over [.., d]); null when fixed. */
    Tensor sigmaNode() {
        return logSigma == null ? null : logSigma.exp();
    }

    /** The projection onto the bounds, after an optimizer step: log sigma clamped into [log min, log max]. */
    void project() {
        if (logSigma == null || !learning.bounded()) return;
        double lo = Math.log(learning.min()), hi = Math.log(learning.max());
        try (var noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            float[] v = logSigma.toFloatArray();
            boolean changed = false;
            for (int j = 0; j < v.length; j++) {
                float c = (float) Math.min(hi, Math.max(lo, v[j]));
                changed |= c != v[j];
                v[j] = c;
            }
            if (changed) dev.latentr3.engine.ops.Views.copyInto(logSigma, Tensor.of(v, logSigma.shape()));
        }
    }
}
