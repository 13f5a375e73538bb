// One AdamW step in place over n fp32 elements (OptimizerKernels.adamw): decoupled weight decay on the parameter
// before this step's update; c1 = 1 - beta1^t and c2 = 1 - beta2^t are the bias corrections for step t.
#include "common.cuh"

extern "C" __global__ void adamw_f32(long long n, float* param, const float* grad, float* m, float* v, float lr,
                                     float beta1, float beta2, float eps, float weight_decay, float c1, float c2) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) {
        float g = grad[i], p = param[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        p -= lr * (weight_decay * p + (mi / c1) / (sqrtf(vi / c2) + eps));
        m[i] = mi;
        v[i] = vi;
        param[i] = p;
    }
}
EMU_REGISTER(adamw_f32);
