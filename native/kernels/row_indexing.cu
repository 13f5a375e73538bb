// Row gathers and scatters over a [rows, dim] fp32 table with int32 indices (embedding lookup and its gradient,
// index_put, masked fills). An index outside [0, rows) is skipped and reported through `status` (see kc_report):
// the host then fails the call naming the position and the value.
#include "common.cuh"

__device__ __forceinline__ bool row_ok(int r, int rows, int* status, long long i, long long c) {
    if (r >= 0 && r < rows) return true;
    if (c == 0) kc_report(status, i, r);
    return false;
}

// out[i, :] = table[idx[i], :]
extern "C" __global__ void gather_rows_f32(int n, int dim, const float* table, int rows, const int* idx, float* out,
                                           int* status) {
    long long total = static_cast<long long>(n) * dim;
    for (long long t = kc_global_index(); t < total; t += kc_grid_stride()) {
        long long i = t / dim, c = t % dim;
        int r = idx[i];
        if (row_ok(r, rows, status, i, c)) out[t] = table[static_cast<long long>(r) * dim + c];
    }
}
EMU_REGISTER(gather_rows_f32);

// dTable[idx[i], :] += dOut[i, :]; repeated indices accumulate (atomically, so in no fixed order).
extern "C" __global__ void scatter_add_rows_f32(int n, int dim, const float* d_out, const int* idx, int rows,
                                                float* d_table, int* status) {
    long long total = static_cast<long long>(n) * dim;
    for (long long t = kc_global_index(); t < total; t += kc_grid_stride()) {
        long long i = t / dim, c = t % dim;
        int r = idx[i];
        if (row_ok(r, rows, status, i, c)) atomicAdd(&d_table[static_cast<long long>(r) * dim + c], d_out[t]);
    }
}
EMU_REGISTER(scatter_add_rows_f32);

// owner[idx[i]] = the largest i naming that row (owner starts at -1): with put_rows_f32, later entries win on repeats
// as in a sequential loop.
extern "C" __global__ void claim_rows_last(int n, const int* idx, int rows, int* owner, int* status) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) {
        int r = idx[i];
        if (row_ok(r, rows, status, i, 0)) atomicMax(&owner[r], static_cast<int>(i));
    }
}
EMU_REGISTER(claim_rows_last);

// dst[idx[i], :] = src[i, :] for the i that owns its row.
extern "C" __global__ void put_rows_f32(int n, int dim, const float* src, const int* idx, int rows, const int* owner,
                                        float* dst) {
    long long total = static_cast<long long>(n) * dim;
    for (long long t = kc_global_index(); t < total; t += kc_grid_stride()) {
        long long i = t / dim, c = t % dim;
        int r = idx[i];
        if (r >= 0 && r < rows && owner[r] == i) dst[static_cast<long long>(r) * dim + c] = src[t];
    }
}
EMU_REGISTER(put_rows_f32);

// dst[idx[i], :] = value
extern "C" __global__ void fill_rows_f32(int n, int dim, float value, const int* idx, int rows, float* dst,
                                         int* status) {
    long long total = static_cast<long long>(n) * dim;
    for (long long t = kc_global_index(); t < total; t += kc_grid_stride()) {
        long long i = t / dim, c = t % dim;
        int r = idx[i];
        if (row_ok(r, rows, status, i, c)) dst[static_cast<long long>(r) * dim + c] = value;
    }
}
EMU_REGISTER(fill_rows_f32);
