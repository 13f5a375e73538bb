package dev.latentr3.kernels.cuda;

/**
 * A cuBLAS call returned an error: names the call, the cublasStatus_t number and name and, under the emulator, its
 * detail (which argument rule was broken).
 */
public final class CublasException extends RuntimeException {
    private final String call;
    private final int status;
    private final String statusName;

    public CublasException(String call, int status, String statusName, String detail) {
        super(call + " failed: " + statusName + " (" + status + ")" + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.status = status;
        this.statusName = statusName;
    }

    /** The cuBLAS function that failed, e.g. {@code cublasGemmEx}. */
    public String call() {
        return call;
    }

    /** The cublasStatus_t number. */
    public int status() {
        return status;
    }

    /** The cublasStatus_t name, e.g. {@code CUBLAS_STATUS_INVALID_VALUE}. */
    public String statusName() {
        return statusName;
    }
}
