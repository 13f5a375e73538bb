// Device-time check of RoPE (rope.cu) and SwiGLU (swiglu.cu) at the CudaRopeBenchmark / CudaSwiGluBenchmark shapes,
// outside the JVM, so that one device call times this checkout's kernels and the versions before the rework
// (-DRSB_BASELINE: native/bench/baseline/rows.cu and elementwise.cu from `git show eac8d89:native/kernels/...`) on the
// same card. Launch shapes mirror CudaRows.java for each version. CUDA events, the L2 overwritten before each call,
// median of 30 calls; TB/s counts the bytes a call must move (RowBenchData). Each output is checked against a
// double-precision CPU reference ("max err": |got - want| / (1e-5 + |want|)) and hashed (FNV-1a over its bytes), so
// equal hashes in the two builds' tables mean bit-identical results. Build and run: native/bench/run-rope-swiglu-bench.sh.
#include <cstdint>
#include <random>

#ifdef RSB_BASELINE
#include "baseline/rows.cu"
#include "baseline/elementwise.cu"
#else
#include "rope.cu"
#include "swiglu.cu"
#endif

#include "bench_util.cuh"

static int sms;

static float* nan_buffer(size_t n) {  // poisoned output: an unwritten element shows as NaN error
    float* d;
    CK(cudaMalloc(&d, n * 4));
    CK(cudaMemset(d, 0xff, n * 4));
    return d;
}

static uint64_t fnv(const std::vector<float>& v) {
    uint64_t h = 1469598103934665603ull;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(v.data());
    for (size_t i = 0; i < v.size() * 4; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static void report(const char* what, double bytes, double ms, double err, uint64_t hash) {
    std::printf("%-30s %9.4f ms %6.2f TB/s  max err %.2e  hash %016llx\n", what, ms, bytes / (ms * 1e-3) / 1e12, err,
                (unsigned long long) hash);
}

static unsigned linear_grid(long long n) { return (unsigned) std::max(1LL, std::min((n + 255) / 256, 32LL * sms)); }

static void rope(int tokens, int heads, int d) {
    std::mt19937 g(heads * d);
    std::uniform_real_distribution<float> u(-2, 2);
    std::uniform_int_distribution<int> up(0, 32767);
    size_t n = (size_t) tokens * heads * d;
    std::vector<float> x(n);
    std::vector<int> pos(tokens);
    for (auto& v : x) v = u(g);
    for (auto& v : pos) v = up(g);
    float *dx = upload(x), *dy = nan_buffer(n);
    int* dp = upload(pos);
    const double theta = 1e6;
#ifdef RSB_BASELINE
    auto launch = [&] {
        rope_f32<<<linear_grid((long long) tokens * heads * (d / 2)), 256>>>(tokens, heads, d, d, theta, dp, 0, dx, dy);
    };
#else
    int groups = (heads + 3) / 4, hpt = (heads + groups - 1) / groups;  // CudaRows.rope, float4 lanes
    long long items = (long long) tokens * groups * (d / 2 / 4);
    auto launch = [&] {
        rope_f32<<<linear_grid(items), 256, std::min(d / 2, 2048) * 8>>>(tokens, heads, d, d, theta, dp, 0, 1, hpt, dx, dy);
    };
#endif
    double ms = median_ms(launch);
    std::vector<float> y = download(dy, n);
    double err = 0;
    for (int t = 0; t < tokens; t++) {
        for (int k = 0; k < d / 2; k++) {
            double a = pos[t] * std::pow(theta, -2.0 * k / d), c = std::cos(a), s = std::sin(a);
            for (int h = 0; h < heads; h++) {
                size_t b = ((size_t) t * heads + h) * d;
                err = std::max(err, rel_err(y[b + k], x[b + k] * c - x[b + d / 2 + k] * s));
                err = std::max(err, rel_err(y[b + d / 2 + k], x[b + d / 2 + k] * c + x[b + k] * s));
            }
        }
    }
    char name[64];
    std::snprintf(name, sizeof name, "rope %dx%dx%d", tokens, heads, d);
    report(name, 8.0 * n + 4.0 * tokens, ms, err, fnv(y));
    CK(cudaFree(dx)); CK(cudaFree(dy)); CK(cudaFree(dp));
}

static void swiglu(long long rows, long long cols) {
    size_t n = (size_t) (rows * cols);
    std::mt19937 g(cols);
    std::uniform_real_distribution<float> ug(-4, 4), uu(-2, 2), ud(-1, 1);
    std::vector<float> gate(n), up(n), dout(n);
    for (auto& v : gate) v = ug(g);
    for (auto& v : up) v = uu(g);
    for (auto& v : dout) v = ud(g);
    float *dg = upload(gate), *du = upload(up), *dd = upload(dout), *out = nan_buffer(n), *dgo = nan_buffer(n),
          *duo = nan_buffer(n);
#ifdef RSB_BASELINE
    unsigned grid = linear_grid((long long) n);
#else
    unsigned grid = linear_grid(((long long) n + 4 * SWIGLU_UNROLL - 1) / (4 * SWIGLU_UNROLL));
#endif
    double ms = median_ms([&] { swiglu_f32<<<grid, 256>>>((long long) n, dg, du, out); });
    std::vector<float> o = download(out, n);
    double err = 0;
    for (size_t i = 0; i < n; i++) {
        double x = gate[i], s = 1 / (1 + std::exp(-x));
        err = std::max(err, rel_err(o[i], x * s * up[i]));
    }
    char name[64];
    std::snprintf(name, sizeof name, "swiglu forward %lldx%lld", rows, cols);
    report(name, 12.0 * n, ms, err, fnv(o));
    ms = median_ms([&] { swiglu_backward_f32<<<grid, 256>>>((long long) n, dg, du, dd, dgo, duo); });
    std::vector<float> a = download(dgo, n), b = download(duo, n);
    err = 0;
    for (size_t i = 0; i < n; i++) {
        double x = gate[i], s = 1 / (1 + std::exp(-x));
        err = std::max(err, scaled_err(a[i], dout[i] * up[i] * s * (1 + x * (1 - s)), dout[i] * up[i], 1e-3));
        err = std::max(err, scaled_err(b[i], dout[i] * x * s, dout[i] * x, 1e-3));
    }
    a.insert(a.end(), b.begin(), b.end());
    std::snprintf(name, sizeof name, "swiglu backward %lldx%lld", rows, cols);
    report(name, 20.0 * n, ms, err, fnv(a));
    CK(cudaFree(dg)); CK(cudaFree(du)); CK(cudaFree(dd)); CK(cudaFree(out)); CK(cudaFree(dgo)); CK(cudaFree(duo));
}

int main() {
    cudaDeviceProp p;
    CK(cudaGetDeviceProperties(&p, 0));
    sms = p.multiProcessorCount;
    flush_init(2 * (size_t) p.l2CacheSize);
#ifdef RSB_BASELINE
    std::printf("== baseline kernels on %s (%d SMs, L2 %d MB)\n", p.name, sms, p.l2CacheSize >> 20);
#else
    std::printf("== this checkout's kernels on %s (%d SMs, L2 %d MB)\n", p.name, sms, p.l2CacheSize >> 20);
#endif
    for (double mb : {29.4, 50.3, 239.1, 1024.0}) {  // copies moving the bytes of the calls below, read + write
        size_t bytes = (size_t) (mb * 1e6 / 2) / 4 * 4;
        void *a, *b;
        CK(cudaMalloc(&a, bytes));
        CK(cudaMalloc(&b, bytes));
        CK(cudaMemset(a, 1, bytes));
        double ms = median_ms([&] { CK(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice)); });
        char name[64];
        std::snprintf(name, sizeof name, "copy moving %.1f MB", mb);
        report(name, 2.0 * bytes, ms, 0, 0);
        CK(cudaFree(a)); CK(cudaFree(b));
    }
    rope(4096, 14, 64);
    rope(4096, 12, 128);
    swiglu(4096, 4864);
    swiglu(4096, 8960);
    return 0;
}
