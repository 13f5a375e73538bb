package dev.latentr3.kernels;

/**
 * One device's compute: the kernel families the engine calls. The engine picks a backend by a tensor's device and
 * never names an implementation; the CPU has two (plain references, and the fast Vector API + threads versions),
 * and tests hold each fast kernel against its reference through this record.
 */
public record Backend(String name, GemmKernels gemm, ElementwiseKernels elementwise, RowKernels rows,
                      AttentionKernels attention, OptimizerKernels optimizer) {
}
