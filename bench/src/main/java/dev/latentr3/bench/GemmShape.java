package dev.latentr3.bench;

/**
 * A GEMM shape as the benchmarks name it: {@code "MxNxK"} or {@code "MxNxK/XY"}, C being M x N and the depth K;
 * X and Y are N or T for whether A and B are transposed ({@code /NT} is activations times a PyTorch-layout weight,
 * {@code x W^T}). One call does {@code 2 M N K} floating-point operations.
 */
public record GemmShape(int m, int n, int k, boolean transA, boolean transB) {

    public static GemmShape parse(String s) {
        String[] parts = s.trim().split("/");
        String[] dims = parts[0].split("x");
        if (dims.length != 3 || parts.length > 2 || (parts.length == 2 && !parts[1].matches("[NT]{2}"))) {
            throw new IllegalArgumentException("GEMM shape '" + s + "': expected MxNxK or MxNxK/XY with X, Y in {N, T}");
        }
        boolean ta = parts.length == 2 && parts[1].charAt(0) == 'T';
        boolean tb = parts.length == 2 && parts[1].charAt(1) == 'T';
        return new GemmShape(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), Integer.parseInt(dims[2]), ta, tb);
    }

    /** Floating-point operations of one call (a multiply and an add per term). */
    public double flops() {
        return 2.0 * m * n * k;
    }

    /** Row stride of A as stored (row-major, unpadded). */
    public int lda() {
        return transA ? m : k;
    }

    public int ldb() {
        return transB ? k : n;
    }

    @Override
    public String toString() {
        return m + "x" + n + "x" + k + "/" + (transA ? "T" : "N") + (transB ? "T" : "N");
    }
}
