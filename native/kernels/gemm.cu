// SGEMM, row-major as GemmKernels defines it: C = alpha * op(A) op(B) + beta * C, batched over blockIdx.z with element
// strides (0 broadcasts A or B). A register-blocked tiling (design, resources and expected rates: gemm-notes.md):
//   - a block of 256 threads computes a kSide x kSide tile of C; each thread a kPer x kPer sub-tile of registers, made
//     of 4 x 4 pieces spaced 64 apart, so every shared-memory read is a float4 and a warp's reads are conflict-free;
//   - K advances in slabs of kDepth = 1024 / kSide, so that each thread loads exactly one group of 4 consecutive
//     elements of op(A) and one of op(B) per slab (a float4 when aligned and inside the matrix, else 4 guarded scalars);
//   - both operands sit in shared memory k-major ([k][row], [k][col]), A transposed on the way in; two buffers, and
//     the next slab is fetched into registers while the current one is multiplied: one barrier per slab.
// Two instances: kPer = 8 (128 x 128 tiles, for problems that fill the GPU) and kPer = 4 (64 x 64, for skinny ones);
// CudaGemm picks. Each C element is one thread's sum over k in increasing order: deterministic, no atomics.
#include "common.cuh"

namespace {
constexpr int kThreads = 256;

// The 4 memory-consecutive elements of one operand that a thread moves per slab. An operand is seen as op[outer, kk]
// (outer = row of op(A) or column of op(B)); `kContig` says whether kk or outer is the contiguous direction in memory.
template <int kSide, int kDepth>
struct Group {
    int outer, kk;  // the first of the 4 elements, relative to the tile's corner

    __device__ __forceinline__ Group(bool kContig, int tid) {
        if (kContig) {
            outer = tid / (kDepth / 4);
            kk = tid % (kDepth / 4) * 4;
        } else {
            kk = tid / (kSide / 4);
            outer = tid % (kSide / 4) * 4;
        }
    }
};

// Reads the thread's 4 elements of the slab at (outer0, k0) into r. `fast`: the whole slab is inside the matrix and
// 16-byte aligned, so one float4 load; otherwise each element is checked and reads 0 outside the matrix.
template <int kSide, int kDepth>
__device__ __forceinline__ void fetch(float (&r)[4], const float* p, int ld, bool kContig, bool fast,
                                      Group<kSide, kDepth> g, int outer0, int extent, int k0, int k) {
    int outer = outer0 + g.outer, kk = k0 + g.kk;
    const float* at = kContig ? p + static_cast<long long>(outer) * ld + kk : p + static_cast<long long>(kk) * ld + outer;
    if (fast) {
        float4 v = *reinterpret_cast<const float4*>(at);
        r[0] = v.x;
        r[1] = v.y;
        r[2] = v.z;
        r[3] = v.w;
        return;
    }
    KC_UNROLL
    for (int i = 0; i < 4; i++) {
        bool inside = kContig ? outer < extent && kk + i < k : kk < k && outer + i < extent;
        r[i] = inside ? at[i] : 0.0f;
    }
}

// Writes the fetched group into the k-major shared tile s[kk][outer] (rows padded to kSide + 4 floats).
template <int kSide, int kDepth>
__device__ __forceinline__ void stash(float* s, const float (&r)[4], bool kContig, Group<kSide, kDepth> g) {
    constexpr int ld = kSide + 4;
    if (kContig) {
        KC_UNROLL
        for (int i = 0; i < 4; i++) s[(g.kk + i) * ld + g.outer] = r[i];
    } else {
        *reinterpret_cast<float4*>(s + g.kk * ld + g.outer) = make_float4(r[0], r[1], r[2], r[3]);
    }
}

__device__ __forceinline__ bool aligned16(const float* p) {
    return (reinterpret_cast<unsigned long long>(p) & 15u) == 0;
}

template <int kPer>
__device__ __forceinline__ void sgemm_tile(int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                                           long long stride_a, int lda, const float* b, long long stride_b, int ldb,
                                           float beta, float* c, long long stride_c, int ldc) {
    constexpr int kSide = 16 * kPer, kDepth = 1024 / kSide, kLd = kSide + 4, kPieces = kPer / 4;
    static_assert(kSide * kDepth == 4 * kThreads, "one group of 4 per thread and operand per slab");
    // [buffer][kk][outer]; the +4 padding keeps float4 alignment and spreads the transposing stores over the banks.
    __shared__ __align__(16) float as[2][kDepth * kLd];
    __shared__ __align__(16) float bs[2][kDepth * kLd];
    a += stride_a * blockIdx.z;
    b += stride_b * blockIdx.z;
    c += stride_c * blockIdx.z;
    int row0 = blockIdx.y * kSide, col0 = blockIdx.x * kSide;
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;

    // op(A)[row, kk] is contiguous in kk unless A is transposed; op(B)[kk, col] is contiguous in kk only when B is.
    bool a_kc = !trans_a, b_kc = trans_b;
    Group<kSide, kDepth> ga(a_kc, tid), gb(b_kc, tid);
    bool a_vec = aligned16(a) && lda % 4 == 0 && row0 + kSide <= m;
    bool b_vec = aligned16(b) && ldb % 4 == 0 && col0 + kSide <= n;

    float acc[kPer][kPer] = {};
    float ra[4], rb[4];
    int slabs = (k + kDepth - 1) / kDepth;
    if (slabs > 0) {
        fetch(ra, a, lda, a_kc, a_vec && kDepth <= k, ga, row0, m, 0, k);
        fetch(rb, b, ldb, b_kc, b_vec && kDepth <= k, gb, col0, n, 0, k);
        stash(as[0], ra, a_kc, ga);
        stash(bs[0], rb, b_kc, gb);
        __syncthreads();
    }
    for (int s = 0; s < slabs; s++) {
        int cur = s & 1, next_k0 = (s + 1) * kDepth;
        bool more = s + 1 < slabs;
        // Issue the next slab's global loads before the arithmetic, so their latency hides behind it.
        if (more) {
            bool full_k = next_k0 + kDepth <= k;
            fetch(ra, a, lda, a_kc, a_vec && full_k, ga, row0, m, next_k0, k);
            fetch(rb, b, ldb, b_kc, b_vec && full_k, gb, col0, n, next_k0, k);
        }
        const float* sa = as[cur];
        const float* sb = bs[cur];
        KC_UNROLL
        for (int kk = 0; kk < kDepth; kk++) {
            float av[kPer], bv[kPer];
            KC_UNROLL
            for (int q = 0; q < kPieces; q++) {
                float4 x = *reinterpret_cast<const float4*>(sa + kk * kLd + q * 64 + ty * 4);
                float4 y = *reinterpret_cast<const float4*>(sb + kk * kLd + q * 64 + tx * 4);
                av[4 * q] = x.x, av[4 * q + 1] = x.y, av[4 * q + 2] = x.z, av[4 * q + 3] = x.w;
                bv[4 * q] = y.x, bv[4 * q + 1] = y.y, bv[4 * q + 2] = y.z, bv[4 * q + 3] = y.w;
            }
            KC_UNROLL
            for (int i = 0; i < kPer; i++) {
                KC_UNROLL
                for (int j = 0; j < kPer; j++) acc[i][j] += av[i] * bv[j];
            }
        }
        // The other buffer was last read in slab s - 1, which every thread finished before the previous barrier.
        if (more) {
            stash(as[cur ^ 1], ra, a_kc, ga);
            stash(bs[cur ^ 1], rb, b_kc, gb);
        }
        __syncthreads();
    }

    bool c_vec = aligned16(c) && ldc % 4 == 0;
    KC_UNROLL
    for (int i = 0; i < kPer; i++) {
        int row = row0 + i / 4 * 64 + ty * 4 + i % 4;
        if (row >= m) continue;
        float* out_row = c + static_cast<long long>(row) * ldc;
        KC_UNROLL
        for (int q = 0; q < kPieces; q++) {
            int col = col0 + q * 64 + tx * 4;
            float* out = out_row + col;
            float v[4];
            KC_UNROLL
            for (int j = 0; j < 4; j++) v[j] = alpha * acc[i][4 * q + j];
            // beta == 0 overwrites: C's previous contents, even NaN, are ignored.
            if (c_vec && col + 4 <= n) {
                if (beta != 0.0f) {
                    float4 old = *reinterpret_cast<const float4*>(out);
                    v[0] += beta * old.x, v[1] += beta * old.y, v[2] += beta * old.z, v[3] += beta * old.w;
                }
                *reinterpret_cast<float4*>(out) = make_float4(v[0], v[1], v[2], v[3]);
            } else {
                KC_UNROLL
                for (int j = 0; j < 4; j++) {
                    if (col + j < n) out[j] = beta == 0.0f ? v[j] : v[j] + beta * out[j];
                }
            }
        }
    }
}
}  // namespace

// 128 x 128 tiles, 8 x 8 per thread. At most 128 registers, so that two blocks share an SM.
extern "C" __global__ void __launch_bounds__(kThreads, 2)
    sgemm_f32_t128(int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, long long stride_a,
                   int lda, const float* b, long long stride_b, int ldb, float beta, float* c, long long stride_c,
                   int ldc) {
    sgemm_tile<8>(trans_a, trans_b, m, n, k, alpha, a, stride_a, lda, b, stride_b, ldb, beta, c, stride_c, ldc);
}
EMU_REGISTER(sgemm_f32_t128);

// 64 x 64 tiles, 4 x 4 per thread: four times the blocks of the 128 tile, for problems too small to fill the GPU.
extern "C" __global__ void __launch_bounds__(kThreads)
    sgemm_f32_t64(int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, long long stride_a,
                  int lda, const float* b, long long stride_b, int ldb, float beta, float* c, long long stride_c,
                  int ldc) {
    sgemm_tile<4>(trans_a, trans_b, m, n, k, alpha, a, stride_a, lda, b, stride_b, ldb, beta, c, stride_c, ldc);
}
EMU_REGISTER(sgemm_f32_t64);
