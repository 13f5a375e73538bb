// Reductions over the middle axis of a contiguous [outer, reduce, inner] array (ElementwiseKernels.reduce), and the
// block partial sums of squares behind sumOfSquares (the host adds the partials in block order: deterministic) and
// sumsOfSquares (sum_rows_in_order_f64 adds each tensor's partials on the device, in the same order).
#include "common.cuh"

// inner == 1: one block per row (grid-stride over rows; the row loop is uniform across the block, so the barriers in
// the block sum are reached by every thread), a per-thread float sum then a tree over the block.
extern "C" __global__ void reduce_sum_rows_f32(int outer, int reduce, const float* x, float* out) {
    __shared__ float scratch[32];
    for (int o = blockIdx.x; o < outer; o += gridDim.x) {
        const float* row = x + static_cast<long long>(o) * reduce;
        float s = 0.0f;
        for (int r = threadIdx.x; r < reduce; r += blockDim.x) s += row[r];
        s = kc_block_sum(s, scratch);
        if (threadIdx.x == 0) out[o] = s;
    }
}
EMU_REGISTER(reduce_sum_rows_f32);

// inner > 1: one thread per output column (o, c), walking r with a double accumulator; neighbouring threads read
// neighbouring addresses.
extern "C" __global__ void reduce_sum_cols_f32(int outer, int reduce, int inner, const float* x, float* out) {
    long long total = static_cast<long long>(outer) * inner;
    for (long long t = kc_global_index(); t < total; t += kc_grid_stride()) {
        long long o = t / inner, c = t % inner;
        const float* p = x + o * reduce * inner + c;
        double s = 0.0;
        for (int r = 0; r < reduce; r++) s += p[static_cast<long long>(r) * inner];
        out[t] = static_cast<float>(s);
    }
}
EMU_REGISTER(reduce_sum_cols_f32);

// Whether (b, ib) beats (a, ia) for MAX with argmax: NaN beats any number, then the larger value, and among equals
// (or among NaNs) the lower index, i.e. the first maximum. Associative and commutative, so any tree gives the answer
// of a left-to-right scan.
__device__ __forceinline__ bool argmax_beats(float b, int ib, float a, int ia) {
    bool an = a != a, bn = b != b;
    if (an != bn) return bn;
    if (!an && b != a) return b > a;
    return ib < ia;
}

extern "C" __global__ void reduce_max_rows_f32(int outer, int reduce, const float* x, float* out, int* indices) {
    __shared__ float values[32];
    __shared__ int positions[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    for (int o = blockIdx.x; o < outer; o += gridDim.x) {
        const float* row = x + static_cast<long long>(o) * reduce;
        float best = -INFINITY;
        int at = INT_MAX;  // an empty thread: loses to every element
        for (int r = threadIdx.x; r < reduce; r += blockDim.x) {
            if (argmax_beats(row[r], r, best, at)) {
                best = row[r];
                at = r;
            }
        }
        for (int offset = 16; offset > 0; offset >>= 1) {
            float v = __shfl_xor_sync(0xffffffffu, best, offset);
            int i = __shfl_xor_sync(0xffffffffu, at, offset);
            if (argmax_beats(v, i, best, at)) {
                best = v;
                at = i;
            }
        }
        __syncthreads();
        if (lane == 0) {
            values[warp] = best;
            positions[warp] = at;
        }
        __syncthreads();
        if (warp == 0) {
            best = lane < warps ? values[lane] : -INFINITY;
            at = lane < warps ? positions[lane] : INT_MAX;
            for (int offset = 16; offset > 0; offset >>= 1) {
                float v = __shfl_xor_sync(0xffffffffu, best, offset);
                int i = __shfl_xor_sync(0xffffffffu, at, offset);
                if (argmax_beats(v, i, best, at)) {
                    best = v;
                    at = i;
                }
            }
            if (lane == 0) {
                out[o] = best;
                if (indices != nullptr) indices[o] = at;
            }
        }
    }
}
EMU_REGISTER(reduce_max_rows_f32);

extern "C" __global__ void reduce_max_cols_f32(int outer, int reduce, int inner, const float* x, float* out,
                                               int* indices) {
    long long total = static_cast<long long>(outer) * inner;
    for (long long t = kc_global_index(); t < total; t += kc_grid_stride()) {
        long long o = t / inner, c = t % inner;
        const float* p = x + o * reduce * inner + c;
        float best = p[0];
        int at = 0;
        for (int r = 1; r < reduce; r++) {
            float v = p[static_cast<long long>(r) * inner];
            if (argmax_beats(v, r, best, at)) {
                best = v;
                at = r;
            }
        }
        out[t] = best;
        if (indices != nullptr) indices[t] = at;
    }
}
EMU_REGISTER(reduce_max_cols_f32);

// Backward of the MAX reduction over the middle axis of [outer, reduce, inner]: dx = 0 except
// dx[o, indices[o, i], i] = dy[o, i]. One thread per (o, i) clears its column and writes its one element, so no
// two threads touch the same address. An index outside [0, reduce) (never produced by reduce_max_*) writes nothing.
extern "C" __global__ void reduce_max_backward_f32(int outer, int reduce, int inner, const float* dy, const int* indices,
                                                   float* dx) {
    long long n = static_cast<long long>(outer) * inner;
    for (long long j = kc_global_index(); j < n; j += kc_grid_stride()) {
        long long o = j / inner, i = j % inner;
        float* column = dx + o * reduce * static_cast<long long>(inner) + i;
        for (int r = 0; r < reduce; r++) column[static_cast<long long>(r) * inner] = 0.0f;
        int k = indices[j];
        if (k >= 0 && k < reduce) column[static_cast<long long>(k) * inner] = dy[j];
    }
}
EMU_REGISTER(reduce_max_backward_f32);

// partials[blockIdx.x] = this block's share of sum(x^2), accumulated in double.
extern "C" __global__ void sum_squares_partial_f64(long long n, const float* x, double* partials) {
    __shared__ double scratch[32];
    double s = 0.0;
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) {
        double v = x[i];
        s += v * v;
    }
    s = kc_block_sum(s, scratch);
    if (threadIdx.x == 0) partials[blockIdx.x] = s;
}
EMU_REGISTER(sum_squares_partial_f64);

// out[r] = x[r, 0] + x[r, 1] + ... + x[r, cols - 1], left to right in double, one thread per row: the very additions
// the host makes for sumOfSquares, so that sumsOfSquares reads back one double per tensor with the same bits. Rows are
// short (CudaReductions.SUM_SQUARES_BLOCKS) and few (one per gradient), so a sequential loop per thread is enough.
extern "C" __global__ void sum_rows_in_order_f64(int rows, int cols, const double* x, double* out) {
    for (long long r = kc_global_index(); r < rows; r += kc_grid_stride()) {
        const double* row = x + r * cols;
        double s = 0.0;
        for (int c = 0; c < cols; c++) s += row[c];
        out[r] = s;
    }
}
EMU_REGISTER(sum_rows_in_order_f64);
