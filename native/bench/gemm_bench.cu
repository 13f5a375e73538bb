// Device check of native/kernels/gemm.cu, run on a GPU host (native/bench/run-gemm-bench.sh): each tile instance
// against an fp64 reference GEMM on the device (every transpose, odd shapes, padded and misaligned strides, batches
// with a broadcast operand, beta != 0, padding left untouched), a bit-for-bit repeat, then device time (CUDA events,
// L2 flushed, median of 15) of ours, the previous kernel (-DWITH_OLD: native/bench/baseline/gemm.cu) and cuBLAS fp32
// on the engine's shapes.
// Build: nvcc -O3 -arch=sm_90 -std=c++17 -I native/kernels native/bench/gemm_bench.cu -lcublas
#include "gemm.cu"
#ifdef WITH_OLD
namespace old {
#include "baseline/gemm.cu"
}
#endif
#include "bench_util.cuh"

#include <cublas_v2.h>

#include <cstring>
#include <random>

// C = alpha op(A) op(B) + beta C in double, one thread per element (beta == 0 ignores C).
__global__ void ref_gemm(int ta, int tb, int m, int n, int k, double alpha, const float* a, long long sa, int lda,
                         const float* b, long long sb, int ldb, double beta, const float* c0, double* out,
                         long long sc, int ldc) {
    int col = blockIdx.x * blockDim.x + threadIdx.x, row = blockIdx.y * blockDim.y + threadIdx.y, z = blockIdx.z;
    if (row >= m || col >= n) return;
    a += sa * z, b += sb * z;
    double s = 0;
    for (int kk = 0; kk < k; kk++) {
        double x = ta ? a[(long long)kk * lda + row] : a[(long long)row * lda + kk];
        double y = tb ? b[(long long)col * ldb + kk] : b[(long long)kk * ldb + col];
        s += x * y;
    }
    long long at = sc * z + (long long)row * ldc + col;
    out[at] = alpha * s + (beta == 0 ? 0.0 : beta * c0[at]);
}

enum Impl { T64, T128, AUTO, OLD, CUBLAS };
static const char* kNames[] = {"ours t64", "ours t128", "ours auto", "previous", "cuBLAS fp32"};
static int g_sms;
static cublasHandle_t g_blas;

static void launch(Impl impl, int batch, int ta, int tb, int m, int n, int k, float alpha, const float* a, long long sa,
                   int lda, const float* b, long long sb, int ldb, float beta, float* c, long long sc, int ldc) {
    if (impl == CUBLAS) {  // row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T
        cublasStatus_t st = cublasSgemmStridedBatched(g_blas, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                                                      n, m, k, &alpha, b, ldb, sb, a, lda, sa, &beta, c, ldc, sc, batch);
        if (st != CUBLAS_STATUS_SUCCESS) { std::fprintf(stderr, "cublas %d\n", (int)st); std::exit(2); }
        return;
    }
    if (impl == AUTO) {  // CudaGemm.Tile.pick
        long long blocks128 = (long long)((m + 127) / 128) * ((n + 127) / 128) * batch;
        impl = blocks128 >= g_sms ? T128 : T64;
    }
    int side = impl == T128 ? 128 : 64;
    dim3 grid((n + side - 1) / side, (m + side - 1) / side, batch);
    if (impl == T128) sgemm_f32_t128<<<grid, 256>>>(ta, tb, m, n, k, alpha, a, sa, lda, b, sb, ldb, beta, c, sc, ldc);
    else if (impl == T64) sgemm_f32_t64<<<grid, 256>>>(ta, tb, m, n, k, alpha, a, sa, lda, b, sb, ldb, beta, c, sc, ldc);
#ifdef WITH_OLD
    else old::sgemm_f32<<<dim3((n + 63) / 64, (m + 63) / 64, batch), 256>>>(ta, tb, m, n, k, alpha, a, sa, lda, b, sb,
                                                                              ldb, beta, c, sc, ldc);
#endif
    CK(cudaGetLastError());
}

static std::vector<float> randoms(size_t n, unsigned seed) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> d(-1, 1);
    std::vector<float> v(n);
    for (auto& x : v) x = d(g);
    return v;
}

struct Case {
    int batch, ta, tb, m, n, k, padA, padB, padC;
    bool broadcastA;
    long long skew;  // added to each stride: 2 makes every odd entry lose 16-byte alignment
    float alpha, beta;
};

static int failures = 0;

static void check(Impl impl, const Case& t, unsigned seed) {
    int lda = (t.ta ? t.m : t.k) + t.padA, ldb = (t.tb ? t.k : t.n) + t.padB, ldc = t.n + t.padC;
    long long aLen = (long long)(t.ta ? t.k : t.m) * lda, bLen = (long long)(t.tb ? t.n : t.k) * ldb, cLen = (long long)t.m * ldc;
    long long sa = t.broadcastA ? 0 : aLen + t.skew, sb = bLen + t.skew, sc = cLen + t.skew;
    long long aAll = t.broadcastA ? aLen : sa * t.batch, bAll = sb * t.batch, cAll = sc * t.batch;
    auto ha = randoms(aAll, seed), hb = randoms(bAll, seed + 1), hc = randoms(cAll, seed + 2);
    if (t.beta == 0) std::fill(hc.begin(), hc.end(), NAN);  // must be ignored where written, kept where not
    float *a = upload(ha), *b = upload(hb), *c = upload(hc), *c0 = upload(hc);
    double* ref;
    CK(cudaMalloc(&ref, cAll * sizeof(double)));
    ref_gemm<<<dim3((t.n + 15) / 16, (t.m + 15) / 16, t.batch), dim3(16, 16)>>>(t.ta, t.tb, t.m, t.n, t.k, t.alpha, a, sa,
                                                                                 lda, b, sb, ldb, t.beta, c0, ref, sc, ldc);
    CK(cudaGetLastError());
    launch(impl, t.batch, t.ta, t.tb, t.m, t.n, t.k, t.alpha, a, sa, lda, b, sb, ldb, t.beta, c, sc, ldc);
    CK(cudaDeviceSynchronize());
    std::vector<float> got(cAll);
    std::vector<double> want(cAll);
    CK(cudaMemcpy(got.data(), c, cAll * 4, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(want.data(), ref, cAll * 8, cudaMemcpyDeviceToHost));
    double err2 = 0, ref2 = 0, worst = 0;
    long long bad = 0, touched = 0;
    for (int z = 0; z < t.batch; z++)
        for (long long i = 0; i < sc; i++) {
            long long at = z * sc + i;
            if (at >= cAll) break;
            bool inside = i < cLen && i % ldc < t.n;
            if (!inside) {  // padding and gaps: bit-for-bit what was there
                if (std::memcmp(&got[at], &hc[at], 4) != 0) touched++;
                continue;
            }
            double e = got[at] - want[at];
            if (!std::isfinite(got[at])) bad++;
            err2 += e * e, ref2 += want[at] * want[at];
            // fp32 dot products of k terms in [-1, 1]: the error bound grows like k * eps * sum |x y|.
            double bound = 1e-5 + 4e-7 * t.k;
            worst = std::max(worst, std::fabs(e) / (bound * (1 + std::fabs(want[at]))));
        }
    double rel = ref2 > 0 ? std::sqrt(err2 / ref2) : std::sqrt(err2);
    bool ok = bad == 0 && touched == 0 && rel < 1e-5 && worst <= 1;
    if (!ok) failures++;
    std::printf("%-4s %-11s b%d %s%s %5dx%5dx%5d pad %d/%d/%d%s skew %lld a=%g b=%g: rel %.2e worst/bound %.2f nonfinite %lld padding-touched %lld\n",
                ok ? "ok" : "FAIL", kNames[impl], t.batch, t.ta ? "T" : "N", t.tb ? "T" : "N", t.m, t.n, t.k, t.padA,
                t.padB, t.padC, t.broadcastA ? " bcastA" : "", t.skew, t.alpha, t.beta, rel, worst, bad, touched);
    cudaFree(a), cudaFree(b), cudaFree(c), cudaFree(c0), cudaFree(ref);
}

// Median device milliseconds of one call, L2 flushed before each (a 256 MB memset), after 3 warm-ups.
static double timeit(Impl impl, int ta, int tb, int m, int n, int k, const float* a, const float* b, float* c) {
    int lda = ta ? m : k, ldb = tb ? k : n;
    return median_ms([&] { launch(impl, 1, ta, tb, m, n, k, 1.f, a, 0, lda, b, 0, ldb, 0.f, c, 0, n); }, 15, 3);
}

int main(int argc, char** argv) {
    bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    cudaDeviceProp p;
    CK(cudaGetDeviceProperties(&p, 0));
    g_sms = p.multiProcessorCount;
    std::printf("device %s, %d SMs\n", p.name, g_sms);
    if (cublasCreate(&g_blas) != CUBLAS_STATUS_SUCCESS) { std::fprintf(stderr, "cublasCreate failed\n"); return 2; }

    std::vector<Case> cases;
    int shapes[][3] = {{1, 1, 1}, {67, 45, 33}, {128, 128, 8}, {130, 7, 200}, {257, 255, 33}, {1000, 999, 1001},
                       {4096, 128, 896}, {1024, 1024, 1024}, {129, 260, 3}, {5, 4, 0}};
    for (auto& s : shapes)
        for (int t = 0; t < 4; t++) {
            cases.push_back({1, t & 1, t >> 1, s[0], s[1], s[2], 0, 0, 0, false, 0, 1.f, 0.f});     // packed
            cases.push_back({1, t & 1, t >> 1, s[0], s[1], s[2], 4, 8, 4, false, 0, -0.5f, 0.75f});  // aligned pad
            cases.push_back({1, t & 1, t >> 1, s[0], s[1], s[2], 3, 1, 2, false, 0, 1.25f, 0.5f});   // odd pad
        }
    for (int t = 0; t < 4; t++) {
        cases.push_back({5, t & 1, t >> 1, 300, 260, 72, 4, 4, 4, true, 0, 1.5f, -1.f});   // broadcast A
        cases.push_back({3, t & 1, t >> 1, 300, 260, 72, 4, 4, 4, false, 2, 1.5f, -1.f});  // odd entries misaligned
        cases.push_back({4, t & 1, t >> 1, 33, 70, 20, 0, 0, 0, false, 0, 1.f, 0.f});
    }
    unsigned seed = 1;
    for (Impl impl : {T64, T128, AUTO})
        for (auto& c : cases) check(impl, c, seed += 3);

    // Bit-for-bit repeat on a shape that fills the GPU.
    {
        int m = 4096, n = 4864, k = 896;
        auto ha = randoms((size_t)m * k, 7), hb = randoms((size_t)n * k, 8);
        float *a = upload(ha), *b = upload(hb), *c1, *c2;
        CK(cudaMalloc(&c1, (size_t)m * n * 4));
        CK(cudaMalloc(&c2, (size_t)m * n * 4));
        for (Impl impl : {T64, T128}) {
            launch(impl, 1, 0, 1, m, n, k, 1.f, a, 0, k, b, 0, k, 0.f, c1, 0, n);
            launch(impl, 1, 0, 1, m, n, k, 1.f, a, 0, k, b, 0, k, 0.f, c2, 0, n);
            CK(cudaDeviceSynchronize());
            std::vector<float> x((size_t)m * n), y((size_t)m * n);
            CK(cudaMemcpy(x.data(), c1, x.size() * 4, cudaMemcpyDeviceToHost));
            CK(cudaMemcpy(y.data(), c2, y.size() * 4, cudaMemcpyDeviceToHost));
            bool same = std::memcmp(x.data(), y.data(), x.size() * 4) == 0;
            if (!same) failures++;
            std::printf("%-4s %-11s repeat 4096x4864x896 NT: %s\n", same ? "ok" : "FAIL", kNames[impl],
                        same ? "identical bits" : "bits differ");
        }
        cudaFree(a), cudaFree(b), cudaFree(c1), cudaFree(c2);
    }
    std::printf("correctness: %d failure(s)\n", failures);

    flush_init(256u << 20);
    struct Shape { int m, n, k, ta, tb; const char* name; };
    Shape bench[] = {{1024, 1024, 1024, 0, 0, "1024^3"},        {4096, 4096, 4096, 0, 0, "4096^3"},
                     {4096, 896, 896, 0, 1, "4096x896x896/NT"},  {4096, 128, 896, 0, 1, "4096x128x896/NT"},
                     {4096, 4864, 896, 0, 1, "4096x4864x896/NT"}, {4096, 896, 4864, 0, 1, "4096x896x4864/NT"},
                     {4096, 4096, 4096, 1, 0, "4096^3/TN"}};
    std::printf("\n%-18s", "TFLOP/s");
    for (Impl impl : {T64, T128, AUTO, OLD, CUBLAS}) std::printf(" %12s", kNames[impl]);
    std::printf("\n");
    for (auto& s : bench) {
        if (quick && s.m * (long long)s.n * s.k > 20e9) continue;
        auto ha = randoms((size_t)s.m * s.k, 11), hb = randoms((size_t)s.k * s.n, 12);
        float *a = upload(ha), *b = upload(hb), *c;
        CK(cudaMalloc(&c, (size_t)s.m * s.n * 4));
        std::printf("%-18s", s.name);
        for (Impl impl : {T64, T128, AUTO, OLD, CUBLAS}) {
#ifndef WITH_OLD
            if (impl == OLD) { std::printf(" %12s", "-"); continue; }
#endif
            double ms = timeit(impl, s.ta, s.tb, s.m, s.n, s.k, a, b, c);
            std::printf(" %12.1f", 2.0 * s.m * s.n * s.k / (ms * 1e-3) / 1e12);
        }
        std::printf("\n");
        cudaFree(a), cudaFree(b), cudaFree(c);
    }
    return failures == 0 ? 0 : 1;
}
