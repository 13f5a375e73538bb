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
 * named by {@code LATENTR3_CUBLAS_DIR}; the standard CUDA folders; NVIDIA's pip wheels in Python site-packages (where a
 * CUDA build of PyTorch puts them): {@code nvidia/cu13/lib} for CUDA 13's {@code nvidia-cublas} (CUDA 13 wheels share
 * that folder), {@code nvidia/cublas/lib} for CUDA 12's {@code nvidia-cublas-cu12}. Python environments are looked for
 * under the active virtualenv or conda prefix, beside every {@code bin} folder on PATH (a venv's python), and in the
 * usual system and /opt locations. The CUDA 13 soname is preferred; CUDA 12's is accepted with a caveat (mixing it
 * with kernels built by CUDA 13 has not been verified). Only NVIDIA's sonames are looked for, so the emulator's
 * library is never found here.
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
        for (Path root : pythonRoots()) {
            for (Path python : glob(root, "python3*", "")) {
                for (String packages : List.of("site-packages", "dist-packages")) {
                    dirs.add(python.resolve(packages).resolve("nvidia/cu13/lib"));
                    dirs.add(python.resolve(packages).resolve("nvidia/cublas/lib"));
                }
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

    /** Folders that may hold {@code python3.X/site-packages}: active environments, PATH's bin folders, usual places. */
    private static List<Path> pythonRoots() {
        Set<Path> roots = new LinkedHashSet<>();
        for (String variable : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = System.getenv(variable);
            if (v != null && !v.isBlank()) roots.add(Path.of(v, "lib"));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(":")) {
                if (entry.endsWith("/bin") && entry.length() > 4) roots.add(Path.of(entry.substring(0, entry.length() - 4), "lib"));
            }
        }
        roots.add(Path.of(System.getProperty("user.home", ""), ".local/lib"));
        roots.addAll(List.of(Path.of("/usr/local/lib"), Path.of("/usr/lib"), Path.of("/opt/conda/lib")));
        roots.addAll(glob(Path.of("/opt"), "*", ".venv/lib"));
        return List.copyOf(roots);
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
