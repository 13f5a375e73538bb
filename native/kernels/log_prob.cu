// The fused target log-prob gather over logits [rows, vocab] (RowKernels.logProbGather): one pass per row with an
// online max and sum (each thread keeps (m, s) = (running max, sum of exp(x - m)), merged across the warp with
// shuffles and across warps through shared memory); the softmax is never stored.
#include "common.cuh"

// Merges another (max, sum) pair into (m, s). An empty pair has m = -inf; NaN propagates through s.
__device__ __forceinline__ void merge_max_sum(float& m, float& s, float m2, float s2) {
    if (m2 == -INFINITY) return;
    if (m == -INFINITY) {
        m = m2;
        s = s2;
        return;
    }
    float top = fmaxf(m, m2);
    s = s * expf(m - top) + s2 * expf(m2 - top);
    m = top;
}

__device__ __forceinline__ void warp_merge(float& m, float& s) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        float m2 = __shfl_xor_sync(0xffffffffu, m, offset), s2 = __shfl_xor_sync(0xffffffffu, s, offset);
        merge_max_sum(m, s, m2, s2);
    }
}

// logp[r] = logits[r, t] - lse[r] with t = targets[r]; 0 for the ignore index; a target outside [0, vocab) is
// reported through `status` (and gets NaN).
extern "C" __global__ void log_prob_gather_f32(int rows, int vocab, const float* logits, const int* targets,
                                               int ignore_index, float* logp, float* lse, int* status) {
    __shared__ float maxes[32], sums[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* row = logits + static_cast<long long>(r) * vocab;
        float m = -INFINITY, s = 0.0f;
        for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
            float v = row[j];
            if (v > m) {
                s = s * expf(m - v) + 1.0f;
                m = v;
            } else if (v != -INFINITY) {
                s += expf(v - m);  // NaN lands here and poisons s
            }
        }
        warp_merge(m, s);
        __syncthreads();
        if (lane == 0) {
            maxes[warp] = m;
            sums[warp] = s;
        }
        __syncthreads();
        if (warp == 0) {
            m = lane < warps ? maxes[lane] : -INFINITY;
            s = lane < warps ? sums[lane] : 0.0f;
            warp_merge(m, s);
            if (lane == 0) {
                float l = m + logf(s);
                lse[r] = l;
                int t = targets[r];
                if (t == ignore_index) {
                    logp[r] = 0.0f;
                } else if (t < 0 || t >= vocab) {
                    kc_report(status, r, t);
                    logp[r] = NAN;
                } else {
                    logp[r] = row[t] - l;
                }
            }
        }
    }
}
EMU_REGISTER(log_prob_gather_f32);

// dLogits[r, j] = dLogp[r] * ([j == t] - exp(logits[r, j] - lse[r])); 0 on ignored rows. Element-wise given lse.
extern "C" __global__ void log_prob_gather_backward_f32(int rows, int vocab, const float* logits, const int* targets,
                                                        int ignore_index, const float* lse, const float* d_logp,
                                                        float* d_logits, int* status) {
    long long total = static_cast<long long>(rows) * vocab;
    for (long long i = kc_global_index(); i < total; i += kc_grid_stride()) {
        long long r = i / vocab;
        int j = static_cast<int>(i % vocab), t = targets[r];
        if (t == ignore_index) {
            d_logits[i] = 0.0f;
            continue;
        }
        if ((t < 0 || t >= vocab) && j == 0) kc_report(status, r, t);
        float p = expf(logits[i] - lse[r]);
        d_logits[i] = d_logp[r] * ((j == t ? 1.0f : 0.0f) - p);
    }
}
EMU_REGISTER(log_prob_gather_backward_f32);
