package dev.latentr3.kernels.cuda;

/**
 * A CUDA driver call returned an error: names the call, the CUresult number and name, the driver's description and,
 * under the emulator, its detail (a deadlocked block, a bad launch configuration).
 */
public final class CudaException extends RuntimeException {
    private final String call;
    private final int code;
    private final String errorName;

    public CudaException(String call, int code, String errorName, String description) {
        super(call + " failed: " + errorName + " (" + code + ")" + (description == null || description.isEmpty() ? "" : ": " + description));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    /** The driver function that failed, e.g. {@code cuMemAlloc_v2}. */
    public String call() {
        return call;
    }

    /** The CUresult number. */
    public int code() {
        return code;
    }

    /** The CUresult name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String errorName() {
        return errorName;
    }
}
