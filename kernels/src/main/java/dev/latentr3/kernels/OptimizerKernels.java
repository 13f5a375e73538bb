package dev.latentr3.kernels;

import java.lang.foreign.MemorySegment;

/** Fused optimizer updates on fp32 parameters (master weights) and state. */
public interface OptimizerKernels {

    /**
     * One AdamW step, in place, over n elements (Loshchilov and Hutter: weight decay decoupled from the gradient):
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr * (wd * p + (m / c1) / (sqrt(v / c2) + eps)),
     * where c1 = 1 - b1^t and c2 = 1 - b2^t are the bias corrections for step t, passed in.
     */
    void adamw(long n, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v,
               float lr, float beta1, float beta2, float eps, float weightDecay, float c1, float c2);
}
