package dev.latentr3.bench.report;

import dev.latentr3.bench.GemmShape;
import org.openjdk.jmh.annotations.Benchmark;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry names real benchmarks and parameters, and its work per call follows the benchmarks' formulas. */
class WorkloadsTest {

    @Test
    void everyRowNamesAnExistingBenchmarkMethodAndItsOwnParameterValues() throws Exception {
        List<Comparison> all = Workloads.all();
        Set<String> labels = new HashSet<>();
        for (Comparison c : all) {
            assertTrue(labels.add(c.section() + " " + c.label()), "duplicate row " + c.label());
            for (Side side : c.reference() == null ? List.of(c.ours()) : List.of(c.ours(), c.reference())) {
                if (side instanceof ScriptRun s) {
                    assertTrue(java.nio.file.Files.isRegularFile(java.nio.file.Path.of("..").resolve(s.script())),
                            s.script() + " exists");
                    continue;
                }
                BenchRun b = (BenchRun) side;
                String name = b.benchmark();
                Class<?> cls = Class.forName("dev.latentr3.bench." + name.substring(0, name.lastIndexOf('.')));
                boolean found = false;
                for (var m : cls.getMethods()) {
                    found |= m.getName().equals(name.substring(name.lastIndexOf('.') + 1)) && m.isAnnotationPresent(Benchmark.class);
                }
                assertTrue(found, name + " is a @Benchmark method");
            }
            boolean runnable = c.skipOurs() == null;
            assertTrue(!runnable || (c.workPerCall() > 0 && Double.isFinite(c.workPerCall())), c.label() + " has its work per call");
        }
        assertEquals(10, all.stream().filter(c -> c.section() == Section.GEMM).count(), "GemmBenchmark's ten shapes");
    }

    @Test
    void gemmWorkIsTwoMnkAndAttentionWithoutReferenceSaysWhy() {
        for (Comparison c : Workloads.all()) {
            if (c.section() == Section.GEMM) {
                assertEquals(GemmShape.parse(c.label()).flops(), c.workPerCall());
                assertEquals(c.label(), c.ours().params().get("shape"));
            }
            if (c.section() == Section.ATTENTION && c.label().endsWith("L=1024")) {
                assertNotNull(c.skipReference());
                assertTrue(c.skipReference().contains("only at L = 256"), c.skipReference());
            }
        }
    }

    @Test
    void commandsRunOneBenchmarkAloneWithTheModeFlags() {
        BenchRun b = Workloads.all().getFirst().ours();
        assertEquals("./latentr3 bench '^dev.latentr3.bench.GemmBenchmark.fastGemm$' -p shape=256x256x256 -f 3 -wi 5 -i 5",
                b.command(RunMode.REPORTED.jmhFlags()));
        assertTrue("dev.latentr3.bench.GemmBenchmark.fastGemm".matches(b.includeRegex()));
        assertTrue(!"dev.latentr3.bench.AttentionBenchmark.fastForwardBackward"
                .matches(new BenchRun("AttentionBenchmark.fastForward", java.util.Map.of()).includeRegex()));
    }

    @Test
    void gpuTrainingRowsRunTheTorchScriptsOnCudaWithOurParameterCounts() {
        List<Comparison> rows = Workloads.all().stream()
                .filter(c -> c.section() == Section.CUDA_TRAINING || c.section() == Section.CUDA_LRGRPO).toList();
        assertEquals(List.of("SFT step qwen05b", "SFT step qwen15b", "LR-GRPO micro-step qwen05b", "LR-GRPO micro-step qwen15b"),
                rows.stream().map(Comparison::label).toList());
        for (Comparison c : rows) {
            String preset = c.ours().params().get("preset");
            ScriptRun s = (ScriptRun) c.reference();
            assertEquals("cuda", s.args().get("device"), c.label());
            assertEquals(preset, s.args().get("preset"), c.label());
            assertEquals(dev.latentr3.bench.TrainShapes.parameters(preset), s.expect().get("params"), c.label());
            boolean sft = c.section() == Section.CUDA_TRAINING;
            assertEquals(sft ? 880 : 1, c.workPerCall(), c.label());
            assertEquals(sft ? "CudaTrainStepBenchmark.step" : "CudaLrGrpoStepBenchmark.step", c.ours().benchmark());
        }
        // Qwen2.5-0.5B and -1.5B as their model cards count them (tied embeddings once).
        assertEquals(494_032_768L, dev.latentr3.bench.TrainShapes.parameters("qwen05b"));
        assertEquals(1_543_714_304L, dev.latentr3.bench.TrainShapes.parameters("qwen15b"));
    }

    @Test
    void withoutACudaDeviceEveryGpuRowSaysWhyItDidNotRun() {
        String why = dev.latentr3.bench.CudaBench.unavailable();
        List<Comparison> gpu = Workloads.all().stream().filter(c -> c.section().name().startsWith("CUDA_")).toList();
        // 2 presets x (SFT step, LR-GRPO micro-step), 2 shapes x (ours vs cuBLAS, fp32/tf32/bf16 vs torch), 3 lengths x (forward, forward+backward), the copy,
        // 2 RMSNorm, log-prob gather forward and backward, 2 x 2 SwiGLU, 2 RoPE
        assertEquals(4 + 8 + 6 + 1 + 2 + 2 + 4 + 2, gpu.size());
        if (why == null) return;  // a GPU host: the rows run
        for (Comparison c : gpu) {
            assertEquals("not run: " + why, c.skipOurs(), c.label());
            assertEquals("not run: " + why, c.skipReference(), c.label());
        }
        assertTrue(why.startsWith("no CUDA device ("), why);
    }

    @Test
    void gpuRowsCompareLikeWithLike() {
        for (Comparison c : Workloads.all()) {
            if (c.section() == Section.CUDA_GEMM) {
                GemmShape g = GemmShape.parse(c.label().split(" ")[1].replace(":", ""));
                assertEquals(g.flops(), c.workPerCall(), c.label());
                if (c.reference() instanceof ScriptRun s) {
                    String precision = c.label().split(" ")[0];
                    assertEquals("cublas-" + precision, c.ours().params().get("impl"), c.label());
                    assertEquals(precision, s.args().get("precision"));
                    assertEquals((long) g.n(), s.expect().get("n"));
                    assertEquals(precision.equals("bf16") ? "torch.bfloat16" : "torch.float32", s.expect().get("out_dtype"));
                    assertEquals(precision.equals("tf32"), s.expect().get("allow_tf32"));
                } else {
                    assertEquals("ours-fp32", c.ours().params().get("impl"), c.label());
                    assertEquals("cublas-fp32", ((BenchRun) c.reference()).params().get("impl"), c.label());
                }
            }
            if (c.section() == Section.CUDA_ATTENTION) {
                ScriptRun s = (ScriptRun) c.reference();
                assertEquals(c.ours().params().get("seqLen"), s.args().get("seq-len"), c.label());
                assertEquals(c.ours().benchmark().endsWith("forward") ? "forward" : "forward-backward", s.args().get("pass"));
                assertEquals(14L, s.expect().get("heads"));
                assertEquals(2L, s.expect().get("kv_heads"));
            }
            if (c.section() == Section.CUDA_ROWS && c.reference() instanceof BenchRun copy) {
                // The reference copy moves as many bytes as the kernel (to within the rounding to whole floats).
                assertEquals("CudaCopyBenchmark.copy", copy.benchmark(), c.label());
                long moved = dev.latentr3.bench.RowBenchData.copyBytesMoved(Long.parseLong(copy.params().get("bytes")));
                assertTrue(moved >= c.workPerCall() && moved - c.workPerCall() < 8, c.label() + ": copy moves " + moved);
            }
        }
    }
}
