// SGEMM, row-major as GemmKernels defines it: C = alpha * op(A) op(B) + beta * C, batched over blockIdx.z with element
// strides (0 broadcasts A or B). A plain shared-memory tiling: 64 x 64 tiles of C per 256-thread block, K in steps of
// 16, each thread 4 x 4 outputs spaced 16 apart (so a warp reads consecutive shared-memory words). Correct for any
// shape and transpose; fast GEMM on a GPU is cuBLAS's job, this is the fallback and the reference for the device.
#include "common.cuh"

namespace {
constexpr int kTile = 64, kDepth = 16, kThreads = 256, kPer = 4;

// op(A)[row, kk] from A stored m x k (lda) or, transposed, k x m.
__device__ __forceinline__ float load_a(const float* a, int trans, int lda, int m, int k, int row, int kk) {
    if (row >= m || kk >= k) return 0.0f;
    return trans ? a[static_cast<long long>(kk) * lda + row] : a[static_cast<long long>(row) * lda + kk];
}

// op(B)[kk, col] from B stored k x n (ldb) or, transposed, n x k.
__device__ __forceinline__ float load_b(const float* b, int trans, int ldb, int k, int n, int kk, int col) {
    if (kk >= k || col >= n) return 0.0f;
    return trans ? b[static_cast<long long>(col) * ldb + kk] : b[static_cast<long long>(kk) * ldb + col];
}
}  // namespace

extern "C" __global__ void sgemm_f32(int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                                     long long stride_a, int lda, const float* b, long long stride_b, int ldb,
                                     float beta, float* c, long long stride_c, int ldc) {
    __shared__ float as[kDepth][kTile];
    __shared__ float bs[kDepth][kTile];
    a += stride_a * blockIdx.z;
    b += stride_b * blockIdx.z;
    c += stride_c * blockIdx.z;
    int row0 = blockIdx.y * kTile, col0 = blockIdx.x * kTile;
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    float acc[kPer][kPer] = {};
    for (int k0 = 0; k0 < k; k0 += kDepth) {
        // Each thread loads 4 of the 1024 elements of each tile, walking the stored matrix's contiguous direction.
        for (int q = 0; q < kTile * kDepth / kThreads; q++) {
            int e = tid + q * kThreads;
            int arow = trans_a ? e % kTile : e / kDepth, akk = trans_a ? e / kTile : e % kDepth;
            as[akk][arow] = load_a(a, trans_a, lda, m, k, row0 + arow, k0 + akk);
            int bcol = trans_b ? e / kDepth : e % kTile, bkk = trans_b ? e % kDepth : e / kTile;
            bs[bkk][bcol] = load_b(b, trans_b, ldb, k, n, k0 + bkk, col0 + bcol);
        }
        __syncthreads();
        KC_UNROLL
        for (int kk = 0; kk < kDepth; kk++) {
            float av[kPer], bv[kPer];
            for (int i = 0; i < kPer; i++) av[i] = as[kk][ty + 16 * i];
            for (int j = 0; j < kPer; j++) bv[j] = bs[kk][tx + 16 * j];
            for (int i = 0; i < kPer; i++)
                for (int j = 0; j < kPer; j++) acc[i][j] += av[i] * bv[j];
        }
        __syncthreads();
    }
    for (int i = 0; i < kPer; i++) {
        int row = row0 + ty + 16 * i;
        if (row >= m) continue;
        for (int j = 0; j < kPer; j++) {
            int col = col0 + tx + 16 * j;
            if (col >= n) continue;
            float* out = c + static_cast<long long>(row) * ldc + col;
            // beta == 0 overwrites: C's previous contents, even NaN, are ignored.
            *out = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *out;
        }
    }
}
EMU_REGISTER(sgemm_f32);
