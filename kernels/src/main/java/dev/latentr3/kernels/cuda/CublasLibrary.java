package dev.latentr3.kernels.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where cuBLAS is on this machine, if anywhere. It is never linked or required: builds and CI have none, and GPU hosts
 * get it from a CUDA install or NVIDIA's pip wheel, so it is looked up by path at run time, in this order: the folder
 * named by {@code LATENTR3_CUBLAS_DIR}; the standard CUDA folders; the {@code nvidia/cublas/lib} folder of Python
 * site-packages (where a CUDA build of PyTorch puts it). The CUDA 13 soname is preferred; CUDA 12's is accepted with
 * a caveat (mixing it with kernels built by CUDA 13 has not been verified).
 */
public final class CublasLibrary {
    private CublasLibrary() {}

    public static final String DIR_VARIABLE = "LATENTR3_CUBLAS_DIR";
    static final List<String> SONAMES = List.of("libcublas.so.13", "libcublas.so.12");

    /** The folders searched, in order (only those that exist). */
    public static List<Path> searchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        String configured = System.getenv(DIR_VARIABLE);
        if (configured != null && !configured.isBlank()) dirs.add(Path.of(configured));
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        dirs.addAll(glob(Path.of("/usr/local"), "cuda-1[23]*", "lib64"));
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        String home = System.getProperty("user.home", "");
        for (Path root : List.of(Path.of(home, ".local/lib"), Path.of("/usr/local/lib"), Path.of("/usr/lib"), Path.of("/opt/conda/lib"))) {
            for (Path python : glob(root, "python3*", "")) {
                dirs.add(python.resolve("site-packages/nvidia/cublas/lib"));
                dirs.add(python.resolve("dist-packages/nvidia/cublas/lib"));
            }
        }
        return dirs.stream().filter(Files::isDirectory).toList();
    }

    /** The first cuBLAS found on the search path. */
    public static Optional<Path> locate() {
        for (Path dir : searchPath()) {
            for (String soname : SONAMES) {
                Path p = dir.resolve(soname);
                if (Files.exists(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static List<Path> glob(Path root, String pattern, String child) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root, pattern)) {
            for (Path p : s) out.add(child.isEmpty() ? p : p.resolve(child));
        } catch (IOException | SecurityException e) {
            // an unreadable folder is one place fewer to look
        }
        return out;
    }
}
