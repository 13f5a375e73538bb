// SwiGLU (RowKernels.swiglu / swigluBackward) on flat fp32 streams: out = silu(gate) * up, and its backward
// dGate = dOut * up * silu'(gate), dUp = dOut * silu(gate), with silu'(g) = s (1 + g (1 - s)), s = sigmoid(g).
//
// Why this shape (native/kernels/rows-notes.md, "SwiGLU"): the kernels are pure streams (3 and 5 floats per element),
// so the time is the bytes in flight. Each thread takes SWIGLU_UNROLL float4s of every input, spaced a grid stride
// apart (each load coalesced across the warp), issues all their loads, then computes and stores: 16-byte accesses and
// several independent loads per thread instead of one 4-byte load of each input at a time. The math is the same
// expression as before (precise expf and division), so the results are unchanged. A scalar head and tail
// (kc_split4) take views that start off a 16-byte boundary. Each element is read before it is written by the same
// thread and by no other, so outputs may alias inputs.
#include "common.cuh"
#include "rowvec.cuh"

// float4s of each input a thread has in flight (the launcher sizes the grid by it: CudaRows.SWIGLU_UNROLL).
constexpr int SWIGLU_UNROLL = 4;

__device__ __forceinline__ float swiglu_value(float g, float u) { return g * kc_sigmoid(g) * u; }

__device__ __forceinline__ void swiglu_grads(float g, float u, float d, float& dg, float& du) {
    float s = kc_sigmoid(g);
    dg = d * u * s * (1.0f + g * (1.0f - s));
    du = d * g * s;
}

// The scalar head and tail: index i < scalars maps to element i (head) or i + 4 vecs (tail).
__device__ __forceinline__ long long swiglu_scalar_at(long long i, KcSplit4 sp) {
    return i < sp.head ? i : i + 4 * sp.vecs;
}

extern "C" __global__ void swiglu_f32(long long n, const float* gate, const float* up, float* out) {
    KcSplit4 sp = kc_split4(n, gate, up, out);
    for (long long i = kc_global_index(); i < n - 4 * sp.vecs; i += kc_grid_stride()) {
        long long e = swiglu_scalar_at(i, sp);
        out[e] = swiglu_value(gate[e], up[e]);
    }
    const float *g4 = gate + sp.head, *u4 = up + sp.head;
    float* o4 = out + sp.head;
    long long stride = kc_grid_stride();
    for (long long v0 = kc_global_index(); v0 < sp.vecs; v0 += stride * SWIGLU_UNROLL) {
        float4 g[SWIGLU_UNROLL], u[SWIGLU_UNROLL];
        KC_UNROLL
        for (int r = 0; r < SWIGLU_UNROLL; r++) {
            long long v = v0 + r * stride;
            if (v < sp.vecs) g[r] = kc_load4(g4 + 4 * v), u[r] = kc_load4(u4 + 4 * v);
        }
        KC_UNROLL
        for (int r = 0; r < SWIGLU_UNROLL; r++) {
            long long v = v0 + r * stride;
            if (v < sp.vecs) {
                kc_store4_global(o4 + 4 * v, make_float4(swiglu_value(g[r].x, u[r].x), swiglu_value(g[r].y, u[r].y),
                                                  swiglu_value(g[r].z, u[r].z), swiglu_value(g[r].w, u[r].w)));
            }
        }
    }
}
EMU_REGISTER(swiglu_f32);

extern "C" __global__ void swiglu_backward_f32(long long n, const float* gate, const float* up, const float* d_out,
                                               float* d_gate, float* d_up) {
    KcSplit4 sp = kc_split4(n, gate, up, d_out, d_gate, d_up);
    for (long long i = kc_global_index(); i < n - 4 * sp.vecs; i += kc_grid_stride()) {
        long long e = swiglu_scalar_at(i, sp);
        swiglu_grads(gate[e], up[e], d_out[e], d_gate[e], d_up[e]);
    }
    const float *g4 = gate + sp.head, *u4 = up + sp.head, *d4 = d_out + sp.head;
    float *dg4 = d_gate + sp.head, *du4 = d_up + sp.head;
    long long stride = kc_grid_stride();
    for (long long v0 = kc_global_index(); v0 < sp.vecs; v0 += stride * SWIGLU_UNROLL) {
        float4 g[SWIGLU_UNROLL], u[SWIGLU_UNROLL], d[SWIGLU_UNROLL];
        KC_UNROLL
        for (int r = 0; r < SWIGLU_UNROLL; r++) {
            long long v = v0 + r * stride;
            if (v < sp.vecs) g[r] = kc_load4(g4 + 4 * v), u[r] = kc_load4(u4 + 4 * v), d[r] = kc_load4(d4 + 4 * v);
        }
        KC_UNROLL
        for (int r = 0; r < SWIGLU_UNROLL; r++) {
            long long v = v0 + r * stride;
            if (v < sp.vecs) {
                float4 dg, du;
                swiglu_grads(g[r].x, u[r].x, d[r].x, dg.x, du.x);
                swiglu_grads(g[r].y, u[r].y, d[r].y, dg.y, du.y);
                swiglu_grads(g[r].z, u[r].z, d[r].z, dg.z, du.z);
                swiglu_grads(g[r].w, u[r].w, d[r].w, dg.w, du.w);
                kc_store4_global(dg4 + 4 * v, dg);
                kc_store4_global(du4 + 4 * v, du);
            }
        }
    }
}
EMU_REGISTER(swiglu_backward_f32);
