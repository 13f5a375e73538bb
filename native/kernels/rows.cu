// Row kernels over contiguous fp32 [rows, cols] (RowKernels): softmax and log-softmax with their backward, RMSNorm
// with its backward, and rotary embeddings. One block per row (grid-stride over rows, uniform across the block, so
// every thread reaches the barriers of the block reductions); blockDim.x is a multiple of 32.
#include "common.cuh"

extern "C" __global__ void softmax_f32(int rows, int cols, const float* x, float* y) {
    __shared__ float scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + static_cast<long long>(r) * cols;
        float* yr = y + static_cast<long long>(r) * cols;
        float m = -INFINITY;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, xr[j]);
        m = kc_block_max(m, scratch);
        float s = 0.0f;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) s += expf(xr[j] - m);
        float inv = 1.0f / kc_block_sum(s, scratch);
        for (int j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = expf(xr[j] - m) * inv;
    }
}
EMU_REGISTER(softmax_f32);

extern "C" __global__ void log_softmax_f32(int rows, int cols, const float* x, float* y) {
    __shared__ float scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + static_cast<long long>(r) * cols;
        float* yr = y + static_cast<long long>(r) * cols;
        float m = -INFINITY;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, xr[j]);
        m = kc_block_max(m, scratch);
        float s = 0.0f;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) s += expf(xr[j] - m);
        float lse = m + logf(kc_block_sum(s, scratch));
        for (int j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = xr[j] - lse;
    }
}
EMU_REGISTER(log_softmax_f32);

// dx = y * (dy - sum(dy * y))
extern "C" __global__ void softmax_backward_f32(int rows, int cols, const float* y, const float* dy, float* dx) {
    __shared__ float scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        long long base = static_cast<long long>(r) * cols;
        float dot = 0.0f;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) dot += dy[base + j] * y[base + j];
        dot = kc_block_sum(dot, scratch);
        for (int j = threadIdx.x; j < cols; j += blockDim.x) dx[base + j] = y[base + j] * (dy[base + j] - dot);
    }
}
EMU_REGISTER(softmax_backward_f32);

// dx = dy - exp(y) * sum(dy)
extern "C" __global__ void log_softmax_backward_f32(int rows, int cols, const float* y, const float* dy, float* dx) {
    __shared__ float scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        long long base = static_cast<long long>(r) * cols;
        float sum = 0.0f;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) sum += dy[base + j];
        sum = kc_block_sum(sum, scratch);
        for (int j = threadIdx.x; j < cols; j += blockDim.x) dx[base + j] = dy[base + j] - expf(y[base + j]) * sum;
    }
}
EMU_REGISTER(log_softmax_backward_f32);

// y = x * rstd * weight, rstd = 1 / sqrt(mean(x^2) + eps), rstd kept for the backward.
extern "C" __global__ void rms_norm_f32(int rows, int dim, const float* x, const float* weight, float eps, float* y,
                                        float* rstd) {
    __shared__ float scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        long long base = static_cast<long long>(r) * dim;
        float ss = 0.0f;
        for (int j = threadIdx.x; j < dim; j += blockDim.x) ss += x[base + j] * x[base + j];
        float rs = 1.0f / sqrtf(kc_block_sum(ss, scratch) / dim + eps);
        if (threadIdx.x == 0) rstd[r] = rs;
        for (int j = threadIdx.x; j < dim; j += blockDim.x) y[base + j] = x[base + j] * rs * weight[j];
    }
}
EMU_REGISTER(rms_norm_f32);

// With xhat = x * rstd and g = dy * weight: dx = rstd * (g - xhat * mean(g * xhat)).
extern "C" __global__ void rms_norm_backward_dx_f32(int rows, int dim, const float* x, const float* weight,
                                                    const float* rstd, const float* dy, float* dx) {
    __shared__ float scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        long long base = static_cast<long long>(r) * dim;
        float rs = rstd[r], dot = 0.0f;
        for (int j = threadIdx.x; j < dim; j += blockDim.x) dot += dy[base + j] * weight[j] * x[base + j] * rs;
        float mean = kc_block_sum(dot, scratch) / dim;
        for (int j = threadIdx.x; j < dim; j += blockDim.x) {
            float xhat = x[base + j] * rs;
            dx[base + j] = rs * (dy[base + j] * weight[j] - xhat * mean);
        }
    }
}
EMU_REGISTER(rms_norm_backward_dx_f32);

// The weight gradient in two deterministic steps (no atomics): partial[c, j] = sum over the rows of chunk c of
// dy * x * rstd, one thread per column j (grid.x covers columns, grid.y chunks); then the accumulate kernel below.
extern "C" __global__ void rms_norm_backward_dw_partial_f32(int rows, int dim, int rows_per_chunk, const float* x,
                                                            const float* rstd, const float* dy, float* partial) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= dim) return;
    int first = blockIdx.y * rows_per_chunk, last = min(rows, first + rows_per_chunk);
    float s = 0.0f;
    for (int r = first; r < last; r++) {
        long long at = static_cast<long long>(r) * dim + j;
        s += dy[at] * x[at] * rstd[r];
    }
    partial[static_cast<long long>(blockIdx.y) * dim + j] = s;
}
EMU_REGISTER(rms_norm_backward_dw_partial_f32);

// dWeight[j] += sum over chunks of partial[c, j] (in chunk order).
extern "C" __global__ void rms_norm_backward_dw_accumulate_f32(int chunks, int dim, const float* partial,
                                                               float* d_weight) {
    for (long long j = kc_global_index(); j < dim; j += kc_grid_stride()) {
        double s = 0.0;
        for (int c = 0; c < chunks; c++) s += partial[static_cast<long long>(c) * dim + j];
        d_weight[j] = static_cast<float>(d_weight[j] + s);
    }
}
EMU_REGISTER(rms_norm_backward_dw_accumulate_f32);

// Rotary embedding, "rotate half" form, on x [tokens, heads, headDim]: pairs (i, i + rotaryDim/2) of the first
// rotaryDim entries turn by positions[t] * theta^(-2i/rotaryDim) (negated when `inverse`, the backward); the rest
// pass through. Angles in double, as the CPU kernels compute them: positions reach tens of thousands of radians.
// One thread per pair or pass-through entry, so y may alias x.
extern "C" __global__ void rope_f32(int tokens, int heads, int head_dim, int rotary_dim, double theta,
                                    const int* positions, int inverse, const float* x, float* y) {
    int half = rotary_dim / 2, per_head = half + (head_dim - rotary_dim);
    long long total = static_cast<long long>(tokens) * heads * per_head;
    for (long long t = kc_global_index(); t < total; t += kc_grid_stride()) {
        long long head = t / per_head;
        int k = static_cast<int>(t % per_head);
        long long base = head * head_dim;
        if (k < half) {
            double angle = positions[head / heads] * pow(theta, -2.0 * k / rotary_dim);
            double s, c;
            sincos(angle, &s, &c);
            if (inverse) s = -s;
            double a = x[base + k], b = x[base + half + k];
            y[base + k] = static_cast<float>(a * c - b * s);
            y[base + half + k] = static_cast<float>(b * c + a * s);
        } else {
            int j = rotary_dim + (k - half);
            y[base + j] = x[base + j];
        }
    }
}
EMU_REGISTER(rope_f32);
