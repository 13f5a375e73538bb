// What the standalone CUDA timing programs in native/bench/ share: the error check, upload/download, device time as
// the median of CUDA-event-timed calls each preceded by an L2 overwrite, and the relative error against a
// double-precision reference. Each program is one translation unit that also includes the kernels under test, so
// everything here is static and named apart from the kernels' names.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

// A failed CUDA call ends the program with status 2, keeping 1 for "a check failed" where a program reports that.
#define CK(x)                                                                                     \
    do {                                                                                          \
        cudaError_t e_ = (x);                                                                     \
        if (e_ != cudaSuccess) {                                                                  \
            std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
            std::exit(2);                                                                         \
        }                                                                                         \
    } while (0)

// Device memory the timing loop overwrites before each timed call, so that no call finds its inputs in L2.
static void* g_flush_buf;
static size_t g_flush_bytes;

// Allocates the overwrite buffer; bytes should exceed the L2 (the row benches use twice its size, as CudaBench does).
static void flush_init(size_t bytes) {
    g_flush_bytes = bytes;
    CK(cudaMalloc(&g_flush_buf, bytes));
}

// Median device milliseconds of launch(): `warmups` untimed calls, then `reps` calls, each after an L2 overwrite and
// timed alone between two events on the default stream. launch() may enqueue several kernels; a launch error fails.
template <class F>
static double median_ms(F launch, int reps = 30, int warmups = 1) {
    if (g_flush_buf == nullptr) {
        std::fprintf(stderr, "median_ms: call flush_init first (the L2 overwrite buffer is not allocated)\n");
        std::exit(2);
    }
    cudaEvent_t a, b;
    CK(cudaEventCreate(&a));
    CK(cudaEventCreate(&b));
    for (int i = 0; i < warmups; i++) launch();
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    std::vector<float> t;
    for (int i = 0; i < reps; i++) {
        CK(cudaMemsetAsync(g_flush_buf, i & 0xff, g_flush_bytes));
        CK(cudaEventRecord(a));
        launch();
        CK(cudaEventRecord(b));
        CK(cudaEventSynchronize(b));
        CK(cudaGetLastError());
        float ms;
        CK(cudaEventElapsedTime(&ms, a, b));
        t.push_back(ms);
    }
    CK(cudaEventDestroy(a));
    CK(cudaEventDestroy(b));
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

// A device copy of v; an empty v still gets a valid (one-element) allocation, as a k = 0 GEMM operand needs.
template <class T>
static T* upload(const std::vector<T>& v) {
    T* p;
    CK(cudaMalloc(&p, std::max<size_t>(1, v.size()) * sizeof(T)));
    CK(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
    return p;
}

static std::vector<float> download(const float* d, size_t n) {
    std::vector<float> h(n);
    CK(cudaMemcpy(h.data(), d, n * 4, cudaMemcpyDeviceToHost));
    return h;
}

// |got - want| / (floor + |scale|); NaN counts as infinite, since std::max(err, NaN) would silently keep err.
static double scaled_err(double got, double want, double scale, double floor) {
    double e = std::fabs(got - want) / (floor + std::fabs(scale));
    return e == e ? e : INFINITY;
}

// Relative error against a double-precision reference value; the floor keeps values near zero from dominating.
static double rel_err(double got, double want, double floor = 1e-5) { return scaled_err(got, want, want, floor); }
