package dev.latentr3.train.cli;

import dev.latentr3.kernels.cuda.CudaRuntime;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DoctorCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void reportsTheJdkTheVectorWidthAndTheCudaDeviceOrWhyThereIsNone() {
        assertEquals(0, run("doctor"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("JDK: " + Runtime.version()), text);
        assertTrue(text.contains("vector width " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " bits"), text);
        CudaRuntime.Availability device = CudaRuntime.device();
        String cuda = device.available() ? "CUDA device: " + device.runtime().deviceName() : "CUDA device: none (" + device.reason() + ")";
        assertTrue(text.contains(cuda), text);
        assertTrue(text.contains("cuBLAS: ") && text.contains("CUDA emulator: ") && text.contains("CUDA kernels in this build: "), text);
    }

    @Test
    void takesNoArguments() {
        assertEquals(Main.USAGE_ERROR, run("doctor", "--verbose"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("takes no arguments"));
    }
}
