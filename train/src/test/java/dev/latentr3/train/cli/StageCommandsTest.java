package dev.latentr3.train.cli;

import dev.latentr3.model.json.Json;
import dev.latentr3.train.dataset.SyntheticDataset;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.pipeline.ModelFolder;
import dev.latentr3.train.pipeline.RecModel;
import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** sft, rl and eval chained through their folders on a tiny synthetic dataset; config mistakes refused by name. */
class StageCommandsTest {
    private static final String TINY_MODEL = """
            model:
              hidden: 16
              intermediate: 32
              layers: 1
              heads: 2
              kv_heads: 1
            """;

    @Test
    void sftThenRlThenEvalThroughTheirFolders(@TempDir Path dir) throws IOException {
        SyntheticDataset.write(new SyntheticDataset.Options(16, 12, 2, 1, 2, 2, 2, 2, 3), dir.resolve("data"));
        Path sft = write(dir.resolve("sft.yaml"), """
                out: sft
                data:
                  dir: data
                sft:
                  micro_batch: 4
                  learning_rate: 3.0e-3
                  warmup_steps: 1
                  cutoff: 96
                """ + TINY_MODEL);
        CliRun s = CliRun.of("sft", "--config", sft.toString());
        assertEquals(0, s.status(), s.err());
        assertTrue(s.out().contains("SFT of LatentR3") && s.out().contains("Validation loss"), s.out());
        assertTrue(Files.exists(dir.resolve("sft/model").resolve(ModelFolder.LATENT_ATTENTION)));

        Path rl = write(dir.resolve("rl.yaml"), """
                out: rl
                data: {dir: data}
                model: {from: sft/model}
                rl: {steps: 2, groups_per_step: 2, group_size: 4, cutoff: 96, advantages: batch}
                """);
        CliRun r = CliRun.of("rl", "--config", rl.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(2, Files.readAllLines(dir.resolve("rl/metrics.jsonl")).size());
        assertTrue(r.out().contains("Clean reward"), r.out());

        Path eval = write(dir.resolve("eval.yaml"), """
                out: eval
                data: {dir: data}
                model: {from: rl/model}
                eval: {beams: 4, batch_size: 4, cutoff: 96, max_rows: 3, latency_rows: 1}
                """);
        CliRun e = CliRun.of("eval", "--config", eval.toString(), "--set", "eval.style=d3");
        assertEquals(0, e.status(), e.err());
        assertEquals(3, Files.readAllLines(dir.resolve("eval/predictions.jsonl")).size());
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("eval/eval.json")), "eval.json");
        assertEquals("D3", summary.get("style"));
        assertTrue(summary.containsKey("latency_per_row_without_thought"), summary.toString());
        assertTrue(e.out().contains("HR@10") && e.out().contains("without the thought token"), e.out());
    }

    /**
     * rl writes its trainer state to out/checkpoint; --resume restores it: resuming a finished run runs no step, leaves
     * the metrics as they were and writes the RL-trained LatentRATT again (not the SFT one that model.from holds). A
     * learned sigma moves. sft and rl refuse --resume where nothing was written.
     */
    @Test
    void rlResumesFromItsCheckpointAndLearnsSigma(@TempDir Path dir) throws IOException {
        SyntheticDataset.write(new SyntheticDataset.Options(16, 12, 2, 1, 2, 2, 2, 2, 3), dir.resolve("data"));
        Path sft = write(dir.resolve("sft.yaml"), """
                out: sft
                data: {dir: data}
                sft: {micro_batch: 4, accumulation: 1, epochs: 1, learning_rate: 3.0e-3, warmup_steps: 1, cutoff: 96}
                """ + TINY_MODEL);
        assertEquals(0, CliRun.of("sft", "--config", sft.toString()).status());
        CliRun none = CliRun.of("sft", "--config", sft.toString(), "--set", "out=" + dir.resolve("elsewhere"), "--resume");
        assertEquals(Main.FAILURE, none.status());
        assertTrue(none.err().contains("no checkpoint at"), none.err());

        Path rl = write(dir.resolve("rl.yaml"), """
                out: rl
                data: {dir: data}
                model: {from: sft/model}
                rl: {steps: 3, groups_per_step: 2, group_size: 4, cutoff: 96, learning_rate: 1.0e-2, sigma: 0.5,
                     sigma_learning: learned, sigma_min: 0.1}
                """);
        assertEquals(0, CliRun.of("rl", "--config", rl.toString()).status());
        Path metrics = dir.resolve("rl/metrics.jsonl"), latent = dir.resolve("rl/model").resolve(ModelFolder.LATENT_ATTENTION);
        List<String> lines = Files.readAllLines(metrics);
        assertEquals(3, lines.size());
        double lastSigma = ((Number) ((Map<?, ?>) Json.parse(lines.get(2), "metrics.jsonl")).get("sigma_mean")).doubleValue();
        assertTrue(Math.abs(lastSigma - 0.5) > 1e-6, "a learned sigma moves: " + lastSigma);
        byte[] trained = Files.readAllBytes(latent);
        assertFalse(java.util.Arrays.equals(trained, Files.readAllBytes(dir.resolve("sft/model").resolve(ModelFolder.LATENT_ATTENTION))));

        Files.delete(latent);
        CliRun resumed = CliRun.of("rl", "--config", rl.toString(), "--resume");
        assertEquals(0, resumed.status(), resumed.err());
        assertEquals(lines, Files.readAllLines(metrics), "no step ran again");
        assertArrayEquals(trained, Files.readAllBytes(latent), "the checkpoint's LatentRATT, not the SFT one");

        CliRun mismatch = CliRun.of("rl", "--config", rl.toString(), "--resume", "--set", "rl.sigma=0.7");
        assertEquals(Main.FAILURE, mismatch.status());
        assertTrue(mismatch.err().contains("was written with"), mismatch.err());
    }

    /** N = 2 latent tokens: sft trains with two thought tokens per prompt, the folder keeps N, rl and eval follow it. */
    @Test
    void twoLatentTokensFlowThroughSftRlAndEval(@TempDir Path dir) throws IOException {
        SyntheticDataset.write(new SyntheticDataset.Options(16, 12, 2, 1, 2, 2, 2, 2, 3), dir.resolve("data"));
        Path sft = write(dir.resolve("sft.yaml"), """
                out: sft
                data: {dir: data}
                sft: {micro_batch: 4, accumulation: 1, epochs: 1, learning_rate: 3.0e-3, warmup_steps: 1, cutoff: 96}
                """ + TINY_MODEL.replace("model:\n", "model:\n  latent_tokens: 2\n"));
        CliRun s = CliRun.of("sft", "--config", sft.toString());
        assertEquals(0, s.status(), s.err());
        RecModel saved = ModelFolder.read(dir.resolve("sft/model"));
        assertEquals(2, saved.latentTokens());
        int[] prompt = saved.sequenceTokens(new PromptTemplate("musics")).prompt(List.of("A", "B"));
        int thought = saved.latent().thoughtId();
        assertEquals(thought, prompt[prompt.length - 1]);
        assertEquals(thought, prompt[prompt.length - 2]);
        assertTrue(prompt[prompt.length - 3] != thought);

        CliRun r = CliRun.of("rl", "--set", "out=" + dir.resolve("rl"), "--set", "data.dir=" + dir.resolve("data"),
                "--set", "model.from=" + dir.resolve("sft/model"), "--set", "rl.steps=1", "--set", "rl.groups_per_step=2",
                "--set", "rl.group_size=4", "--set", "rl.cutoff=96");
        assertEquals(0, r.status(), r.err());
        String state = Files.readString(dir.resolve("rl/checkpoint/trainer_state.json"));
        assertTrue(state.matches("(?s).*\"latent_tokens\"\\s*:\\s*2\\b.*"), state);
        assertEquals(2, ModelFolder.read(dir.resolve("rl/model")).latentTokens());

        CliRun e = CliRun.of("eval", "--set", "out=" + dir.resolve("eval"), "--set", "data.dir=" + dir.resolve("data"),
                "--set", "model.from=" + dir.resolve("rl/model"), "--set", "eval.beams=2", "--set", "eval.max_rows=2",
                "--set", "eval.latency_rows=1", "--set", "eval.cutoff=96");
        assertEquals(0, e.status(), e.err());
        assertEquals(2, Files.readAllLines(dir.resolve("eval/predictions.jsonl")).size());

        CliRun bad = CliRun.of("sft", "--config", sft.toString(), "--set", "model.latent=false", "--set", "out=" + dir.resolve("b"));
        assertEquals(Main.FAILURE, bad.status());
        assertTrue(bad.err().contains("model.latent_tokens"), bad.err());
    }

    @Test
    void anUnknownKeyIsRefusedByNameBeforeAnyWork(@TempDir Path dir) throws IOException {
        Path sft = write(dir.resolve("sft.yaml"), """
                out: sft
                data: {dir: nowhere}
                sft: {learning_rat: 1.0e-3}
                """);
        CliRun r = CliRun.of("sft", "--config", sft.toString());
        assertEquals(Main.FAILURE, r.status());
        assertTrue(r.err().contains("sft.learning_rat") && r.err().contains(sft.toString()), r.err());
        assertFalse(Files.exists(dir.resolve("sft")), "nothing written");

        CliRun d = CliRun.of("demo", "--set", "rl.sigmaa=1", "--out", dir.resolve("demo").toString());
        assertEquals(Main.FAILURE, d.status());
        assertTrue(d.err().contains("rl.sigmaa"), d.err());
        assertFalse(Files.exists(dir.resolve("demo")));
    }

    @Test
    void aValueOutOfRangeNamesTheKey(@TempDir Path dir) {
        CliRun r = CliRun.of("eval", "--set", "out=" + dir, "--set", "data.dir=" + dir, "--set", "model.from=" + dir,
                "--set", "eval.beams=0");
        assertEquals(Main.FAILURE, r.status());
        assertTrue(r.err().contains("eval.beams"), r.err());
    }

    /**
     * The same sft config on the CPU and on the "cuda" device (the kernel emulator in the build, a GPU with
     * -Dlatentr3.cuda.emulate=false): only the device changes, and every step's loss agrees.
     */
    @Test
    void sftRunsTheSameOnTheCudaDevice(@TempDir Path dir) throws IOException {
        Device cuda = new Device("cuda", 0);
        assumeTrue(Backends.available(cuda), () -> "device cuda unavailable: " + Backends.unavailableReason(cuda));
        SyntheticDataset.write(new SyntheticDataset.Options(16, 8, 2, 1, 2, 2, 2, 2, 3), dir.resolve("data"));
        Path sft = write(dir.resolve("sft.yaml"), """
                data:
                  dir: data
                sft:
                  micro_batch: 2
                  accumulation: 1
                  epochs: 1
                  learning_rate: 3.0e-3
                  warmup_steps: 1
                  cutoff: 96
                """ + TINY_MODEL);
        List<double[]> losses = new java.util.ArrayList<>();
        for (String device : List.of("cpu", "cuda")) {
            CliRun r = CliRun.of("sft", "--config", sft.toString(), "--set", "device=" + device, "--set", "out=" + dir.resolve("sft-" + device));
            assertEquals(0, r.status(), r.err());
            losses.add(Files.readAllLines(dir.resolve("sft-" + device).resolve("metrics.jsonl")).stream()
                    .map(line -> (Map<?, ?>) Json.parse(line, "metrics.jsonl"))
                    .filter(m -> "step".equals(m.get("type")))
                    .mapToDouble(m -> ((Number) m.get("loss")).doubleValue()).toArray());
        }
        assertTrue(losses.get(0).length >= 2, "a few steps ran");
        assertArrayEquals(losses.get(0), losses.get(1), 1e-4);
    }

    @Test
    void anUnknownDeviceIsRefusedByName(@TempDir Path dir) {
        CliRun r = CliRun.of("sft", "--set", "out=" + dir.resolve("x"), "--set", "data.dir=" + dir, "--set", "device=tpu:0");
        assertEquals(Main.FAILURE, r.status());
        assertTrue(r.err().contains("device: expected cpu, cuda or cuda:N, got tpu:0"), r.err());
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        return file;
    }
}
