// Device-time check of the memory-bound row kernels (rows.cu RMSNorm, log_prob.cu) at the CudaRmsNormBenchmark and
// CudaLogProbGatherBenchmark shapes, outside the JVM so that one device call can time this checkout's kernels and a
// baseline copy of them (-DROWK_BASELINE: native/bench/baseline/rows.cu and log_prob.cu) on the same card. Launch
// shapes mirror CudaRows.java for each version. CUDA events, the L2 overwritten before each call, median of 30 calls;
// TB/s counts the bytes a call must move (RowBenchData). Results are checked against a double-precision CPU reference: "max err"
// is |got - want| / (floor + |want|), the floor 1e-5 for the forward outputs and 1e-3 for the gradients (dx scaled by
// |rstd dy w| instead of |want|); a NaN output shows as inf.
// Build and run: native/bench/run-row-bench.sh.
#include <random>

#ifdef ROWK_BASELINE
#include "baseline/rows.cu"
#include "baseline/log_prob.cu"
#else
#include "rows.cu"
#include "log_prob.cu"
#endif

#include "bench_util.cuh"

static int sms;

static int row_block(long cols) { return (int) std::min(256L, std::max(32L, (cols + 31) / 32 * 32)); }

static void report(const char* what, double bytes, double ms, double err) {
    std::printf("%-34s %9.4f ms %6.2f TB/s  max err %.2e\n", what, ms, bytes / (ms * 1e-3) / 1e12, err);
}

static void rms(int rows, int dim) {
    std::mt19937 g(dim);
    std::uniform_real_distribution<float> u(-2, 2), uw(0.5f, 1.5f);
    std::vector<float> x((size_t) rows * dim), w(dim), dy((size_t) rows * dim);
    for (auto& v : x) v = u(g);
    for (auto& v : w) v = uw(g);
    for (auto& v : dy) v = u(g);
    float *dx_ = upload(x), *dw = upload(w), *ddy = upload(dy), *dyo, *drs, *ddx;
    CK(cudaMalloc(&dyo, x.size() * 4));
    CK(cudaMalloc(&ddx, x.size() * 4));
    CK(cudaMalloc(&drs, rows * 4));
#ifdef ROWK_BASELINE
    dim3 grid(std::min(rows, 64 * sms)), block(row_block(dim));
#else
    dim3 grid(std::min((rows + 7) / 8, 16 * sms)), block(256);
#endif
    double ms = median_ms([&] { rms_norm_f32<<<grid, block>>>(rows, dim, dx_, dw, 1e-6f, dyo, drs); });
    std::vector<float> y = download(dyo, x.size()), rs = download(drs, rows);
    double err = 0;
    for (int r = 0; r < rows; r++) {
        double ss = 0;
        for (int j = 0; j < dim; j++) ss += (double) x[(size_t) r * dim + j] * x[(size_t) r * dim + j];
        double want = 1.0 / std::sqrt(ss / dim + 1e-6);
        err = std::max(err, rel_err(rs[r], want));
        for (int j = 0; j < dim; j++)
            err = std::max(err, rel_err(y[(size_t) r * dim + j], x[(size_t) r * dim + j] * want * w[j]));
    }
    char name[64];
    std::snprintf(name, sizeof name, "rmsNorm %dx%d", rows, dim);
    report(name, 4.0 * (2.0 * rows * dim + dim + rows), ms, err);
    ms = median_ms([&] { rms_norm_backward_dx_f32<<<grid, block>>>(rows, dim, dx_, dw, drs, ddy, ddx); });
    std::vector<float> got = download(ddx, x.size());
    err = 0;
    for (int r = 0; r < rows; r++) {
        size_t b = (size_t) r * dim;
        double s = rs[r], dot = 0;
        for (int j = 0; j < dim; j++) dot += (double) dy[b + j] * w[j] * x[b + j] * s;
        double mean = dot / dim;
        for (int j = 0; j < dim; j++)
            err = std::max(err, scaled_err(got[b + j], s * (dy[b + j] * w[j] - x[b + j] * s * mean),
                                           s * dy[b + j] * w[j], 1e-3));
    }
    std::snprintf(name, sizeof name, "rmsNormBackward dx %dx%d", rows, dim);
    report(name, 4.0 * (3.0 * rows * dim + dim + rows), ms, err);
    CK(cudaFree(dx_)); CK(cudaFree(dw)); CK(cudaFree(ddy)); CK(cudaFree(dyo)); CK(cudaFree(ddx)); CK(cudaFree(drs));
}

static void log_prob(int rows, int vocab) {
    std::mt19937 g(rows);
    std::uniform_real_distribution<float> u(-8, 8), ud(-1, 1);
    std::uniform_int_distribution<int> ut(0, vocab - 1);
    size_t n = (size_t) rows * vocab;
    std::vector<float> x(n), dlogp(rows);
    std::vector<int> t(rows);
    for (auto& v : x) v = u(g);
    for (auto& v : dlogp) v = ud(g);
    for (auto& v : t) v = ut(g);
    t[1] = -100;
    float *dl = upload(x), *ddl = upload(dlogp), *dlogp_out, *dlse, *dgrad;
    int *dt, *dstatus;
    CK(cudaMalloc(&dt, rows * 4));
    CK(cudaMemcpy(dt, t.data(), rows * 4, cudaMemcpyHostToDevice));
    CK(cudaMalloc(&dstatus, 8));
    CK(cudaMemset(dstatus, 0, 8));
    CK(cudaMalloc(&dlogp_out, rows * 4));
    CK(cudaMalloc(&dlse, rows * 4));
    CK(cudaMalloc(&dgrad, n * 4));
#ifdef ROWK_BASELINE
    auto fwd = [&] {
        log_prob_gather_f32<<<std::min(rows, 64 * sms), row_block(vocab)>>>(rows, vocab, dl, dt, -100, dlogp_out, dlse, dstatus);
    };
    long total = (long) n;
    int bgrid = (int) std::min((total + 255) / 256, 32L * sms);
    auto bwd = [&] {
        log_prob_gather_backward_f32<<<bgrid, 256>>>(rows, vocab, dl, dt, -100, dlse, ddl, dgrad, dstatus);
    };
#else
    // CudaRows.logProbSplits and the launches of CudaRows.logProbGather / logProbGatherBackward.
    long wanted = (8L * sms + rows - 1) / rows, longest = std::max(1L, (long) vocab / (256L * 4 * 8));
    int splits = (int) std::max(1L, std::min(wanted, longest));
    long tasks = (long) rows * splits;
    float* partial;
    CK(cudaMalloc(&partial, tasks * 8));
    auto fwd = [&] {
        log_prob_partial_f32<<<(int) std::min(tasks, 64L * sms), row_block(vocab)>>>(rows, vocab, splits, dl, partial);
        log_prob_merge_f32<<<(int) std::min((rows + 255L) / 256, 32L * sms), 256>>>(rows, vocab, splits, dl, partial, dt, -100,
                                                                              dlogp_out, dlse, dstatus);
    };
    dim3 bgrid((unsigned) std::max(1L, (vocab + 4095L) / 4096), std::min(rows, 65535));
    auto bwd = [&] { log_prob_gather_backward_f32<<<bgrid, 256>>>(rows, vocab, dl, dt, -100, dlse, ddl, dgrad, dstatus); };
    std::printf("(logProb %dx%d: %d splits)\n", rows, vocab, splits);
#endif
    double ms = median_ms(fwd);
    std::vector<float> lp = download(dlogp_out, rows), lse = download(dlse, rows);
    double err = 0;
    std::vector<double> lse_ref(rows);
    for (int r = 0; r < rows; r++) {
        const float* row = x.data() + (size_t) r * vocab;
        float m = -INFINITY;
        for (int j = 0; j < vocab; j++) m = std::max(m, row[j]);
        double s = 0;
        for (int j = 0; j < vocab; j++) s += std::exp((double) row[j] - m);
        lse_ref[r] = m + std::log(s);
        err = std::max(err, rel_err(lse[r], lse_ref[r]));
        err = std::max(err, rel_err(lp[r], t[r] == -100 ? 0.0 : row[t[r]] - lse_ref[r]));
    }
    char name[64];
    std::snprintf(name, sizeof name, "logProbGather forward %dx%d", rows, vocab);
    report(name, 4.0 * n, ms, err);
    ms = median_ms(bwd);
    std::vector<float> grad = download(dgrad, n);
    err = 0;
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < vocab; j++) {
            size_t i = (size_t) r * vocab + j;
            double want = t[r] == -100 ? 0.0 : dlogp[r] * ((j == t[r] ? 1.0 : 0.0) - std::exp((double) x[i] - lse[r]));
            err = std::max(err, rel_err(grad[i], want, 1e-3));
        }
    }
    std::snprintf(name, sizeof name, "logProbGather backward %dx%d", rows, vocab);
    report(name, 8.0 * n, ms, err);
    int status[2];
    CK(cudaMemcpy(status, dstatus, 8, cudaMemcpyDeviceToHost));
    if (status[0] != 0) std::printf("status reported a bad target: %d %d\n", status[0], status[1]);
    CK(cudaFree(dl)); CK(cudaFree(ddl)); CK(cudaFree(dlogp_out)); CK(cudaFree(dlse)); CK(cudaFree(dgrad)); CK(cudaFree(dt));
}

int main() {
    cudaDeviceProp p;
    CK(cudaGetDeviceProperties(&p, 0));
    sms = p.multiProcessorCount;
    flush_init(2 * (size_t) p.l2CacheSize);
#ifdef ROWK_BASELINE
    std::printf("== baseline kernels on %s (%d SMs, L2 %d MB)\n", p.name, sms, p.l2CacheSize >> 20);
#else
    std::printf("== this checkout's kernels on %s (%d SMs, L2 %d MB)\n", p.name, sms, p.l2CacheSize >> 20);
    {   // the copy ceiling: a 1 GiB device-to-device copy, read + write
        size_t bytes = 1ul << 30;
        void *a, *b;
        CK(cudaMalloc(&a, bytes));
        CK(cudaMalloc(&b, bytes));
        CK(cudaMemset(a, 1, bytes));
        double ms = median_ms([&] { CK(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice)); });
        report("device-to-device copy 1 GiB", 2.0 * bytes, ms, 0);
        CK(cudaFree(a)); CK(cudaFree(b));
    }
#endif
    rms(4096, 896);
    rms(4096, 1536);
    log_prob(256, 151936);
    log_prob(2048, 151936);
    return 0;
}
