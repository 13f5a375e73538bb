package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * Every kernel contract again on one emulator thread that runs each block's threads last to first: a kernel that
 * reads shared memory another thread writes without a barrier in between passes in one order and fails in the other.
 */
class EmulatedReverseOrderTest {

    @BeforeAll
    static void reverseOnOneThread() {
        CudaTestRuntimes.emulator().driver().emuConfigure(1, 1);
    }

    @AfterAll
    static void restore() {
        CudaRuntime.Availability a = CudaRuntime.emulator();
        if (a.available()) a.runtime().driver().emuConfigure(a.runtime().multiprocessors(), 0);  // one per thread at start
    }

    @Nested
    class Elementwise extends ElementwiseContract {
        @Override
        CudaRuntime runtime() {
            return CudaTestRuntimes.emulator();
        }
    }

    @Nested
    class Rows extends RowsContract {
        @Override
        CudaRuntime runtime() {
            return CudaTestRuntimes.emulator();
        }
    }

    @Nested
    class RowsLayout extends RowsLayoutContract {
        @Override
        CudaRuntime runtime() {
            return CudaTestRuntimes.emulator();
        }
    }

    @Nested
    class RopeSwiGlu extends RopeSwiGluContract {
        @Override
        CudaRuntime runtime() {
            return CudaTestRuntimes.emulator();
        }
    }

    @Nested
    class TrainingKernels extends TrainingKernelsContract {
        @Override
        CudaRuntime runtime() {
            return CudaTestRuntimes.emulator();
        }
    }

    @Nested
    class Gemm extends GemmContract {
        @Override
        CudaRuntime runtime() {
            return CudaTestRuntimes.emulator();
        }
    }

    @Nested
    class Attention extends AttentionContract {
        @Override
        CudaRuntime runtime() {
            return CudaTestRuntimes.emulator();
        }
    }

    @Nested
    class Semantics extends SemanticsContract {
        @Override
        CudaRuntime runtime() {
            return CudaTestRuntimes.emulator();
        }
    }
}
