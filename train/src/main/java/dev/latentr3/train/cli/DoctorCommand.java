package dev.latentr3.train.cli;

import dev.latentr3.kernels.cuda.CudaDoctor;
import jdk.incubator.vector.FloatVector;

import java.io.PrintStream;

/** {@code latentr3 doctor}: what this machine offers the engine: the JDK, the CPU's vector width, and CUDA. */
final class DoctorCommand {
    private DoctorCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 0) {
            err.println("latentr3 doctor: takes no arguments");
            return Main.USAGE_ERROR;
        }
        Runtime.Version v = Runtime.version();
        out.println("JDK: " + v + " (" + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home"));
        var species = FloatVector.SPECIES_PREFERRED;
        out.println("CPU: " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.arch")
                + ", vector width " + species.vectorBitSize() + " bits (" + species.length() + " floats per FloatVector)");
        for (String line : CudaDoctor.report()) out.println(line);
        return 0;
    }
}
