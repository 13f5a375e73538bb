package dev.latentr3.kernels.cuda;

import java.util.List;

import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link CudaGemm}'s cuBLAS path on a GPU; skipped with the reason when there is no GPU or no cuBLAS. */
@Tag("gpu")
class GpuCublasGemmTest extends GemmContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }

    @Override
    List<CudaGemm> gemms() {
        CublasHandle.Availability a = CublasHandle.of(runtime());
        assumeTrue(a.available(), () -> "no cuBLAS: " + a.reason());
        return List.of(new CudaGemm(runtime(), CudaGemm.Implementation.CUBLAS));
    }
}
