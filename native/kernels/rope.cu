// Rotary embedding (RowKernels.rope), "rotate half" form, on x [tokens, heads, headDim]: pairs (k, k + rotaryDim/2)
// of the first rotaryDim entries of every head turn by positions[t] * theta^(-2k/rotaryDim) (negated when `inverse`,
// the backward); the rest pass through. Angles, sines and cosines in double, as the CPU kernels compute them:
// positions reach tens of thousands of radians, where a float angle would be off by whole hundredths of a radian.
//
// Why this shape (native/kernels/rows-notes.md, "RoPE"): the angle depends on (token, k) only, not on the head, and
// double pow + sincos cost ~70 FP64 instructions. A thread takes one (token, group of up to ROPE_MAX_HEADS_PER_THREAD
// heads, lane) item: a lane is V consecutive pairs k (V = 4: one float4 from each half of the head) or V pass-through
// entries, so each sincos serves every head of the group; the frequencies theta^(-2k/rotaryDim) are computed once
// per block into shared memory. All of a thread's loads are issued before its first sincos, so the FP64 work runs
// under the loads' latency. Each thread reads its elements before writing them and no two threads share one, so y
// may alias x.
#include "common.cuh"

// Heads one thread walks (registers: 2 x V floats per head); the host splits the heads into groups of at most this.
constexpr int ROPE_MAX_HEADS_PER_THREAD = 4;
// Frequencies kept in shared memory (8 bytes each); pairs past this compute theta^(-2k/rotaryDim) themselves.
constexpr int ROPE_TABLE_MAX = 2048;

// The same expression as the reference's Math.pow(theta, -2.0 * k / rotaryDim), so the table changes no bit.
__device__ __forceinline__ double rope_frequency(double theta, int k, int rotary_dim) {
    return pow(theta, -2.0 * k / rotary_dim);
}

template <int V>
__device__ __forceinline__ void rope_load(const float* p, float (&v)[V]) {
    if constexpr (V == 4) {
        float4 q = kc_load4(p);
        v[0] = q.x, v[1] = q.y, v[2] = q.z, v[3] = q.w;
    } else {
        KC_UNROLL
        for (int j = 0; j < V; j++) v[j] = p[j];
    }
}

template <int V>
__device__ __forceinline__ void rope_store(float* p, const float (&v)[V]) {
    if constexpr (V == 4) kc_store4_global(p, make_float4(v[0], v[1], v[2], v[3]));
    else {
        KC_UNROLL
        for (int j = 0; j < V; j++) p[j] = v[j];
    }
}

// One item: `hn` heads from `head0` of token `token`, lane `q`. Pairs k0 .. k0 + V - 1 when q < half / V, else
// pass-through entries.
template <int V>
__device__ __forceinline__ void rope_item(int token, int head0, int hn, int q, int heads, int head_dim, int rotary_dim,
                                          double theta, const double* table, const int* positions, int inverse,
                                          const float* x, float* y) {
    int half = rotary_dim / 2;
    long long row0 = (static_cast<long long>(token) * heads + head0) * head_dim;
    if (q >= half / V) {  // pass-through: a copy of V entries per head
        int col = rotary_dim + (q - half / V) * V;
        float v[ROPE_MAX_HEADS_PER_THREAD][V];
        KC_UNROLL
        for (int h = 0; h < ROPE_MAX_HEADS_PER_THREAD; h++) {
            if (h < hn) rope_load<V>(x + row0 + static_cast<long long>(h) * head_dim + col, v[h]);
        }
        KC_UNROLL
        for (int h = 0; h < ROPE_MAX_HEADS_PER_THREAD; h++) {
            if (h < hn) rope_store<V>(y + row0 + static_cast<long long>(h) * head_dim + col, v[h]);
        }
        return;
    }
    int k0 = q * V;
    float a[ROPE_MAX_HEADS_PER_THREAD][V], b[ROPE_MAX_HEADS_PER_THREAD][V];
    KC_UNROLL
    for (int h = 0; h < ROPE_MAX_HEADS_PER_THREAD; h++) {
        if (h < hn) {
            const float* p = x + row0 + static_cast<long long>(h) * head_dim + k0;
            rope_load<V>(p, a[h]);
            rope_load<V>(p + half, b[h]);
        }
    }
    double pos = positions[token], c[V], s[V];
    KC_UNROLL
    for (int j = 0; j < V; j++) {
        int k = k0 + j;
        double f = k < ROPE_TABLE_MAX ? table[k] : rope_frequency(theta, k, rotary_dim);
        sincos(pos * f, &s[j], &c[j]);
        if (inverse) s[j] = -s[j];
    }
    KC_UNROLL
    for (int h = 0; h < ROPE_MAX_HEADS_PER_THREAD; h++) {
        if (h < hn) {
            float u[V], w[V];
            KC_UNROLL
            for (int j = 0; j < V; j++) {
                double av = a[h][j], bv = b[h][j];
                u[j] = static_cast<float>(av * c[j] - bv * s[j]);
                w[j] = static_cast<float>(bv * c[j] + av * s[j]);
            }
            float* p = y + row0 + static_cast<long long>(h) * head_dim + k0;
            rope_store<V>(p, u);
            rope_store<V>(p + half, w);
        }
    }
}

template <int V>
__device__ void rope_body(int tokens, int heads, int head_dim, int rotary_dim, double theta, const int* positions,
                          int inverse, int heads_per_thread, const float* x, float* y) {
    int half = rotary_dim / 2, table_size = min(half, ROPE_TABLE_MAX);
    double* table = kc_dyn_smem<double>();
    for (int k = threadIdx.x; k < table_size; k += blockDim.x) table[k] = rope_frequency(theta, k, rotary_dim);
    __syncthreads();  // before any load of x, so no load waits at the barrier

    int lanes = half / V + (head_dim - rotary_dim) / V;
    int groups = (heads + heads_per_thread - 1) / heads_per_thread;
    long long items = static_cast<long long>(tokens) * groups * lanes;
    for (long long i = kc_global_index(); i < items; i += kc_grid_stride()) {
        int q = static_cast<int>(i % lanes);
        long long tg = i / lanes;
        int group = static_cast<int>(tg % groups), token = static_cast<int>(tg / groups);
        int head0 = group * heads_per_thread;
        rope_item<V>(token, head0, min(heads_per_thread, heads - head0), q, heads, head_dim, rotary_dim, theta, table,
                     positions, inverse, x, y);
    }
}

// vec4 = 1 (the host checks): rotaryDim / 2 and headDim - rotaryDim are multiples of 4 and x, y are 16-byte aligned,
// so every float4 is aligned. heads_per_thread in [1, ROPE_MAX_HEADS_PER_THREAD]; dynamic shared memory holds
// min(rotaryDim / 2, ROPE_TABLE_MAX) doubles.
extern "C" __global__ void rope_f32(int tokens, int heads, int head_dim, int rotary_dim, double theta,
                                    const int* positions, int inverse, int vec4, int heads_per_thread, const float* x,
                                    float* y) {
    if (vec4) rope_body<4>(tokens, heads, head_dim, rotary_dim, theta, positions, inverse, heads_per_thread, x, y);
    else rope_body<1>(tokens, heads, head_dim, rotary_dim, theta, positions, inverse, heads_per_thread, x, y);
}
EMU_REGISTER(rope_f32);
