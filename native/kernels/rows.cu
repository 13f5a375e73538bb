// Row kernels over contiguous fp32 [rows, cols] (RowKernels): softmax and log-softmax with their backward, RMSNorm
// with its backward (rotary embeddings are in rope.cu, SwiGLU in swiglu.cu). Softmax: one block per row (grid-stride
// over rows, uniform across the block, so every thread reaches the barriers of the block reductions); RMSNorm: one
// warp per row. blockDim.x is a multiple of 32.
#include "common.cuh"
#include "rowvec.cuh"

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

// RMSNorm rows are short (896 or 1536 floats for Qwen2.5 0.5B/1.5B), so one warp takes a row (no block barriers:
// blockDim.x / 32 rows per block, warps walk rows in grid-stride turns) and reduces with shuffles alone. A block per
// row left most of each block idle on the short rows and paid two barriers per row.

// Float4s per lane the forward keeps in registers: rows up to 32 * 4 * RMS_REG4 = 1536 floats (Qwen2.5 1.5B) are
// read once. 16 (2048 floats) took 86 registers and left 16 warps per multiprocessor.
#define RMS_REG4 12

// y = x * rstd * weight, rstd = 1 / sqrt(mean(x^2) + eps), rstd kept for the backward. Where x, y and weight are
// 16-byte aligned and dim % 4 == 0 (then every row is) and the row fits RMS_REG4, the row is loaded once as float4
// into registers, all loads in flight together, and scaled from there; otherwise one float at a time, the second
// pass re-reading the row (from cache).
extern "C" __global__ void rms_norm_f32(int rows, int dim, const float* x, const float* weight, float eps, float* y,
                                        float* rstd) {
    int lane = threadIdx.x & 31, warps = blockDim.x >> 5;
    long long stride = static_cast<long long>(gridDim.x) * warps;
    long long first = static_cast<long long>(blockIdx.x) * warps + (threadIdx.x >> 5);
    bool vec = (dim & 3) == 0 && dim <= 128 * RMS_REG4 && kc_aligned16(x) && kc_aligned16(y) && kc_aligned16(weight);
    if (vec) {
        int n4 = dim >> 2;
        for (long long r = first; r < rows; r += stride) {
            const float* xr = x + r * dim;
            float4 v[RMS_REG4];
            KC_UNROLL
            for (int k = 0; k < RMS_REG4; k++) {
                int q = lane + 32 * k;
                v[k] = q < n4 ? kc_load4(xr + 4 * q) : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            }
            float ss = 0.0f;
            KC_UNROLL
            for (int k = 0; k < RMS_REG4; k++) ss += v[k].x * v[k].x + v[k].y * v[k].y + v[k].z * v[k].z + v[k].w * v[k].w;
            float rs = 1.0f / sqrtf(kc_warp_sum(ss) / dim + eps);
            if (lane == 0) rstd[r] = rs;
            float* yr = y + r * dim;
            KC_UNROLL
            for (int k = 0; k < RMS_REG4; k++) {
                int q = lane + 32 * k;
                if (q < n4) {
                    float4 w = kc_load4(weight + 4 * q);
                    kc_store4_global(yr + 4 * q, make_float4(v[k].x * rs * w.x, v[k].y * rs * w.y, v[k].z * rs * w.z,
                                                      v[k].w * rs * w.w));
                }
            }
        }
    } else {
        for (long long r = first; r < rows; r += stride) {
            const float* xr = x + r * dim;
            float ss = 0.0f;
            for (int j = lane; j < dim; j += 32) ss += xr[j] * xr[j];
            float rs = 1.0f / sqrtf(kc_warp_sum(ss) / dim + eps);
            if (lane == 0) rstd[r] = rs;
            float* yr = y + r * dim;
            for (int j = lane; j < dim; j += 32) yr[j] = xr[j] * rs * weight[j];
        }
    }
}
EMU_REGISTER(rms_norm_f32);

// dx for four entries: rstd * (dy * weight - x * rstd * mean).
__device__ __forceinline__ float4 rms_dx4(float4 a, float4 b, float4 w, float rs, float mean) {
    return make_float4(rs * (b.x * w.x - a.x * rs * mean), rs * (b.y * w.y - a.y * rs * mean),
                       rs * (b.z * w.z - a.z * rs * mean), rs * (b.w * w.w - a.w * rs * mean));
}

// With xhat = x * rstd and g = dy * weight: dx = rstd * (g - xhat * mean(g * xhat)). One warp per row, as the
// forward; x and dy are read as float4 (four in flight per lane) where x, dy, dx and weight are 16-byte aligned and
// dim % 4 == 0, and the second pass re-reads the row (from cache: the warp has just read it).
extern "C" __global__ void rms_norm_backward_dx_f32(int rows, int dim, const float* x, const float* weight,
                                                    const float* rstd, const float* dy, float* dx) {
    int lane = threadIdx.x & 31, warps = blockDim.x >> 5;
    long long stride = static_cast<long long>(gridDim.x) * warps;
    long long first = static_cast<long long>(blockIdx.x) * warps + (threadIdx.x >> 5);
    bool vec = (dim & 3) == 0 && kc_aligned16(x) && kc_aligned16(dy) && kc_aligned16(dx) && kc_aligned16(weight);
    int n4 = vec ? dim >> 2 : 0, rest = 4 * n4;
    for (long long r = first; r < rows; r += stride) {
        long long base = r * dim;
        const float *xr = x + base, *dyr = dy + base;
        float* dxr = dx + base;
        float rs = rstd[r], dot = 0.0f;
        int q = lane;
        for (; q + 96 < n4; q += 128) {
            float4 a[4], b[4], w[4];
            KC_UNROLL
            for (int k = 0; k < 4; k++) {
                a[k] = kc_load4(xr + 4 * (q + 32 * k));
                b[k] = kc_load4(dyr + 4 * (q + 32 * k));
                w[k] = kc_load4(weight + 4 * (q + 32 * k));
            }
            KC_UNROLL
            for (int k = 0; k < 4; k++)
                dot += b[k].x * w[k].x * a[k].x * rs + b[k].y * w[k].y * a[k].y * rs + b[k].z * w[k].z * a[k].z * rs +
                       b[k].w * w[k].w * a[k].w * rs;
        }
        for (; q < n4; q += 32) {
            float4 a = kc_load4(xr + 4 * q), b = kc_load4(dyr + 4 * q), w = kc_load4(weight + 4 * q);
            dot += b.x * w.x * a.x * rs + b.y * w.y * a.y * rs + b.z * w.z * a.z * rs + b.w * w.w * a.w * rs;
        }
        for (int j = rest + lane; j < dim; j += 32) dot += dyr[j] * weight[j] * xr[j] * rs;
        float mean = kc_warp_sum(dot) / dim;
        // The second pass unrolled as the first: one float4 per turn left each lane waiting on one cache round trip
        // after another (measured: slower than the block-per-row kernel at 4096x1536).
        for (q = lane; q + 96 < n4; q += 128) {
            float4 a[4], b[4], w[4];
            KC_UNROLL
            for (int k = 0; k < 4; k++) {
                a[k] = kc_load4(xr + 4 * (q + 32 * k));
                b[k] = kc_load4(dyr + 4 * (q + 32 * k));
                w[k] = kc_load4(weight + 4 * (q + 32 * k));
            }
            KC_UNROLL
            for (int k = 0; k < 4; k++) kc_store4_global(dxr + 4 * (q + 32 * k), rms_dx4(a[k], b[k], w[k], rs, mean));
        }
        for (; q < n4; q += 32)
            kc_store4_global(dxr + 4 * q, rms_dx4(kc_load4(xr + 4 * q), kc_load4(dyr + 4 * q), kc_load4(weight + 4 * q), rs, mean));
        for (int j = rest + lane; j < dim; j += 32) dxr[j] = rs * (dyr[j] * weight[j] - xr[j] * rs * mean);
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
