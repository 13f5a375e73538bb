// GRPO advantage normalisation over rewards [groups, copies] (RlKernels), accumulated in double.
#include "common.cuh"

// LatentR3's batch-level baseline: copy 0 of each group is the clean (noise-free) rollout; baseline = the mean of
// the clean rewards over groups; advantages = (rewards - baseline) / ||rewards - baseline||_2 over the whole batch,
// all 0 when that norm is 0. One block (a batch holds thousands of rewards at most).
extern "C" __global__ void grpo_advantages_batch_f32(int groups, int copies, const float* rewards, float* advantages) {
    __shared__ double scratch[32];
    double clean = 0.0;
    for (int g = threadIdx.x; g < groups; g += blockDim.x) clean += rewards[static_cast<long long>(g) * copies];
    double baseline = kc_block_sum(clean, scratch) / groups;
    long long n = static_cast<long long>(groups) * copies;
    double squares = 0.0;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) {
        double d = rewards[i] - baseline;
        squares += d * d;
    }
    double norm = sqrt(kc_block_sum(squares, scratch));
    for (long long i = threadIdx.x; i < n; i += blockDim.x) {
        advantages[i] = norm > 0.0 ? static_cast<float>((rewards[i] - baseline) / norm) : 0.0f;
    }
}
EMU_REGISTER(grpo_advantages_batch_f32);

// Group-level: advantages[g, c] = (rewards[g, c] - mean_g) / (std_g + eps), std_g the sample standard deviation
// (divisor copies - 1; 0 for a single copy). One block per group.
extern "C" __global__ void grpo_advantages_group_f32(int groups, int copies, float eps, const float* rewards,
                                                     float* advantages) {
    __shared__ double scratch[32];
    for (int g = blockIdx.x; g < groups; g += gridDim.x) {
        const float* r = rewards + static_cast<long long>(g) * copies;
        float* a = advantages + static_cast<long long>(g) * copies;
        double sum = 0.0;
        for (int c = threadIdx.x; c < copies; c += blockDim.x) sum += r[c];
        double mean = kc_block_sum(sum, scratch) / copies;
        double squares = 0.0;
        for (int c = threadIdx.x; c < copies; c += blockDim.x) squares += (r[c] - mean) * (r[c] - mean);
        squares = kc_block_sum(squares, scratch);
        double std = copies > 1 ? sqrt(squares / (copies - 1)) : 0.0;
        for (int c = threadIdx.x; c < copies; c += blockDim.x) a[c] = static_cast<float>((r[c] - mean) / (std + eps));
    }
}
EMU_REGISTER(grpo_advantages_group_f32);
