package dev.latentr3.bench.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the bench/torch scripts' JSON line and turning it into a row's rates. */
class ScriptResultTest {
    /** What train_step.py printed on this machine (torch 1.13, preset tiny), with a warning line before it. */
    static final String TRAIN_STEP_OUTPUT = "/usr/lib/python3/dist-packages/torch/__init__.py:1: UserWarning: something\n"
            + "{\"bench\": \"train_step\", \"preset\": \"tiny\", \"rows\": 4, \"prompt\": 200, \"target\": 20, \"threads\": 2, "
            + "\"params\": 115520, \"tokens_per_step\": 880, \"first_loss\": 5.565642356872559, \"last_loss\": 5.508454322814941, "
            + "\"steps\": 4, \"seconds\": [0.25, 0.125, 0.2], \"median_s\": 0.2, \"min_s\": 0.125, \"max_s\": 0.25, "
            + "\"torch\": \"1.13.0a0\", \"torch_threads\": 2, \"attention\": \"eager\"}\n";

    private static final ScriptRun TRAIN = new ScriptRun("bench/torch/train_step.py",
            Map.of("preset", "tiny"), 5, Map.of("params", 115520L, "tokens_per_step", 880L));
    private static final Comparison ROW = new Comparison(Section.TRAINING, "tiny",
            new BenchRun("TrainStepBenchmark.step", Map.of("preset", "tiny")), TRAIN, 880, null, null);

    @Test
    void readsTheLastJsonLineAndItsSeconds() {
        ScriptResult r = ScriptResult.parse(TRAIN_STEP_OUTPUT, "train_step.py");
        assertEquals(List.of(0.25, 0.125, 0.2), r.seconds());
        assertEquals("1.13.0a0", r.field("torch"));
        assertEquals("?", r.field("absent"));
        assertNull(r.mismatch(Map.of("params", 115520L, "tokens_per_step", 880L)));
        assertEquals("params = 115520, ours 99", r.mismatch(Map.of("params", 99L)));
        assertEquals("rows_missing = null, ours 1", r.mismatch(Map.of("rows_missing", 1L)));
    }

    @Test
    void ratesAreWorkOverEachRoundsSecondsAndTheNoteSaysWhatRan() {
        Outcome o = ScriptSide.outcome(ROW, TRAIN, TRAIN_STEP_OUTPUT, "cmd", "train_step.py");
        assertTrue(o.ran(), String.valueOf(o.notRun()));
        // 880 tokens in 0.25, 0.125 and 0.2 s: 3520, 7040 and 4400 tokens/s.
        assertEquals(4400, o.spread().median(), 1e-9);
        assertEquals(3520, o.spread().min(), 1e-9);
        assertEquals(7040, o.spread().max(), 1e-9);
        assertEquals(3, o.spread().samples());
        assertEquals("torch 1.13.0a0, 2 threads, eager attention", o.note());
        assertEquals("cmd", o.command());
    }

    @Test
    void aGpuRunsNoteGivesTorchsPeakMemoryAsOursReadsIt() {
        String gpu = TRAIN_STEP_OUTPUT.replace("\"attention\": \"eager\"}", "\"attention\": \"sdpa\", \"device\": "
                + "\"NVIDIA H200\", \"cuda\": \"12.4\", \"backend\": \"fp32, TF32 off, sdpa attention\", "
                + "\"peak_bytes\": 2684354560}");
        Outcome o = ScriptSide.outcome(ROW, TRAIN, gpu, "cmd", "train_step.py");
        assertTrue(o.ran(), String.valueOf(o.notRun()));
        assertTrue(o.note().endsWith(", peak device memory 2.50 GiB (torch.cuda.max_memory_allocated, after setup)"), o.note());
        assertEquals("peak device memory 2.50 GiB (our allocator's live blocks, after setup)", PeakMemoryNote.ofMiB(2560, Double.NaN));
        assertEquals("peak device memory 2.50 GiB (our allocator's live blocks, after setup); 2.25 GiB as the tensors"
                + " asked for it (the count of torch.cuda.max_memory_allocated)", PeakMemoryNote.ofMiB(2560, 2304));
        assertNull(PeakMemoryNote.ofIterations(List.of()));
    }

    @Test
    void aScriptThatBuiltAnotherModelIsNotCompared() {
        String other = TRAIN_STEP_OUTPUT.replace("\"params\": 115520", "\"params\": 115584");
        Outcome o = ScriptSide.outcome(ROW, TRAIN, other, "cmd", "train_step.py");
        assertFalse(o.ran());
        assertTrue(o.notRun().contains("differs from ours: params = 115584, ours 115520"), o.notRun());
    }

    @Test
    void badOutputFailsWithTheScriptsNameAndWhatWasWrong() {
        assertThrows(IllegalArgumentException.class, () -> ScriptResult.parse("Traceback (most recent call last):\n", "s.py"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScriptResult.parse("{\"seconds\": []}", "s.py"));
        assertTrue(e.getMessage().contains("s.py") && e.getMessage().contains("'seconds'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScriptResult.parse("{\"seconds\": [0.1, 0]}", "s.py"));
        assertTrue(e.getMessage().contains("expected seconds > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScriptResult.parse("{\"seconds\": [0.1,", "s.py"));
        assertTrue(e.getMessage().contains("does not parse"), e.getMessage());
        Outcome o = ScriptSide.outcome(ROW, TRAIN, "no json here", "cmd", "train_step.py");
        assertTrue(o.notRun().startsWith("failed: train_step.py: printed no JSON line"), o.notRun());
    }

    @Test
    void argumentsCarryThreadsAndTheModesRepetitions() {
        assertEquals(List.of("--preset", "tiny", "--threads", "2", "--warmup", "2", "--reps", "3", "--rep-seconds", "0.300"),
                TRAIN.arguments(RunMode.QUICK, 2));
        assertEquals(List.of("--preset", "tiny", "--threads", "8", "--warmup", "5", "--reps", "15", "--rep-seconds", "5.000"),
                TRAIN.arguments(RunMode.REPORTED, 8));
        assertTrue(TRAIN.command(RunMode.QUICK).startsWith("python3 bench/torch/train_step.py --preset tiny --threads "),
                TRAIN.command(RunMode.QUICK));
        assertEquals("bench/torch/train_step.py preset=tiny", TRAIN.describe());
    }

    /** The shape of gpu_ops.py's line for a bf16 matmul (fields as the script writes them). */
    static final String MATMUL_OUTPUT = "{\"bench\": \"gpu_ops\", \"op\": \"matmul\", \"shape\": \"64x32x16/NT\", "
            + "\"precision\": \"bf16\", \"dtype\": \"torch.bfloat16\", \"out_dtype\": \"torch.bfloat16\", "
            + "\"allow_tf32\": false, \"m\": 64, \"n\": 32, \"k\": 16, \"trans_a\": \"N\", \"trans_b\": \"T\", "
            + "\"seconds\": [0.002, 0.001, 0.004], \"torch\": \"2.11.0+cu130\", \"cuda\": \"13.0\", "
            + "\"device\": \"NVIDIA H200\", \"l2_bytes\": 62914560, \"backend\": \"cuBLAS via torch.mm (allow_tf32=False)\"}";

    @Test
    void gpuScriptsAreCheckedOnShapeAndDtypeAndNotedWithTheirDevice() {
        ScriptRun matmul = new ScriptRun(Workloads.GPU_OPS, Map.of("op", "matmul"), 1, Map.of("m", 64L, "n", 32L,
                "trans_b", "T", "out_dtype", "torch.bfloat16", "allow_tf32", false));
        Comparison row = new Comparison(Section.CUDA_GEMM, "bf16", new BenchRun("CudaGemmBenchmark.gemm", Map.of()), matmul,
                2.0 * 64 * 32 * 16, null, null);
        Outcome o = ScriptSide.outcome(row, matmul, MATMUL_OUTPUT, "cmd", "gpu_ops.py");
        assertTrue(o.ran(), String.valueOf(o.notRun()));
        // 65536 flops in 0.002 s = 3.2768e-5 TFLOP/s
        assertEquals(65536 / 0.002 / 1e12, o.spread().median(), 1e-15);
        assertEquals("torch 2.11.0+cu130 (CUDA 13.0) on NVIDIA H200, cuBLAS via torch.mm (allow_tf32=False)", o.note());
        Outcome fp32 = ScriptSide.outcome(row, matmul, MATMUL_OUTPUT.replace("\"out_dtype\": \"torch.bfloat16\"",
                "\"out_dtype\": \"torch.float32\"").replace("\"allow_tf32\": false", "\"allow_tf32\": true"), "cmd", "gpu_ops.py");
        assertFalse(fp32.ran());
        assertTrue(fp32.notRun().contains("differs from ours: "), fp32.notRun());
        assertTrue(fp32.notRun().contains("out_dtype = torch.float32, ours torch.bfloat16"), fp32.notRun());
        assertTrue(fp32.notRun().contains("allow_tf32 = true, ours false"), fp32.notRun());
    }

    @Test
    void aScriptThatCannotRunSaysWhyOnStderr(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path log = dir.resolve("s.log");
        java.nio.file.Files.writeString(log, "some warning\nnot run: torch has no CUDA (torch 1.13, 0 devices visible)\n\nstdout:\n");
        assertEquals("not run: torch has no CUDA (torch 1.13, 0 devices visible)", ScriptSide.scriptNotRun(log));
        java.nio.file.Files.writeString(log, "Traceback (most recent call last):\n");
        assertNull(ScriptSide.scriptNotRun(log));
    }

    @Test
    void deviceModeRoundsAreTheIterationsOfTheCudaBenchmarks() {
        ScriptRun s = new ScriptRun(Workloads.GPU_OPS, new java.util.LinkedHashMap<>(Map.of("op", "copy")), 1, Map.of());
        assertEquals(List.of("--op", "copy", "--threads", "4", "--warmup", "5", "--reps", "15", "--rep-seconds", "0.100"),
                s.arguments(RunMode.DEVICE, 4));
        assertEquals(List.of("--op", "copy", "--threads", "4", "--warmup", "5", "--reps", "15", "--rep-seconds", "1.000"),
                s.arguments(RunMode.REPORTED, 4));
    }

    @Test
    void torchInterpretersAreTriedEnvironmentFirst() {
        assertEquals(List.of("/opt/py/bin/python", "python3", "/usr/bin/python3"), TorchPython.candidates("/opt/py/bin/python"));
        assertEquals(List.of("python3", "/usr/bin/python3"), TorchPython.candidates(null));
        assertTrue(TorchPython.missingReason().startsWith("not run: python3-torch missing"));
    }
}
