package dev.latentr3.train.cli;

import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.train.rl.RlTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportCommandTest {
    private static final Pattern IMAGE_LINK = Pattern.compile("!\\[[^\\]]*]\\(([^)]+)\\)");

    /** A run folder as the trainers leave it: sft/metrics.jsonl with step and eval lines, rl/metrics.jsonl, an eval. */
    private static Path runFolder(Path run) throws IOException {
        StringBuilder sft = new StringBuilder();
        for (int step = 1; step <= 20; step++) {
            sft.append("{\"type\":\"step\",\"step\":").append(step).append(",\"loss\":").append(3.0 / step)
                    .append(",\"lr\":1.0E-4,\"grad_norm\":1.5,\"tokens\":64,\"seconds\":0.25,\"tokens_per_s\":256.0}\n");
            if (step % 5 == 0) {
                sft.append("{\"type\":\"eval\",\"step\":").append(step).append(",\"validation_loss\":")
                        .append(3.5 / step).append(",\"improved\":true}\n");
            }
        }
        Files.createDirectories(run.resolve("sft"));
        Files.writeString(run.resolve("sft/metrics.jsonl"), sft);
        StringBuilder rl = new StringBuilder();
        for (int step = 1; step <= 10; step++) {
            var m = new RlTrainer.StepMetrics(step, 0.1 / step, 0.05 * step, 0.04 * step, 0.0, 1.0, -1.5, 1.5, 0.8,
                    1e-5, 1.0);
            rl.append(JsonWriter.compact(m.toJson())).append('\n');
        }
        Files.createDirectories(run.resolve("rl"));
        Files.writeString(run.resolve("rl/metrics.jsonl"), rl);
        Files.createDirectories(run.resolve("eval"));
        Files.writeString(run.resolve("eval/test.json"), """
                {"rows":100,"style":"LATENT","hit_rate":{"HR@5":0.12,"HR@10":0.2},"ndcg":{"NDCG@5":0.08,"NDCG@10":0.1}}
                """);
        // A checkpoint's config.json is also a .json file and must be left alone.
        Files.createDirectories(run.resolve("sft/best"));
        Files.writeString(run.resolve("sft/best/config.json"), "{\"hidden_size\": 64}");
        return run;
    }

    @Test
    void rebuildsPlotsForEveryMetricsFile(@TempDir Path dir) throws IOException {
        Path run = runFolder(dir.resolve("run1"));
        CliRun r = CliRun.of("report", "--run", run.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        Path report = run.resolve("metrics-report.md");
        assertTrue(r.out().contains("wrote " + report) && r.out().contains("from 2 metrics files and 1 evaluation summary"),
                r.out());
        String md = Files.readString(report);
        assertTrue(md.startsWith("# Run run1\n"), md);
        List<String> links = new ArrayList<>();
        Matcher m = IMAGE_LINK.matcher(md);
        while (m.find()) links.add(m.group(1));
        // SFT: 6 step keys and 1 eval key; RL: 4 advantage statistics on one plot and 6 other keys; 1 bar chart.
        assertEquals(1 + 7 + 7, links.size(), String.join("\n", links));
        for (String plot : List.of("plots/evaluation.png", "plots/sft-step-loss.png", "plots/sft-eval-validation_loss.png",
                "plots/rl-reward_mean.png", "plots/rl-advantage.png")) {
            assertTrue(links.contains(plot), plot + " in " + links);
        }
        for (String link : links) assertNotNull(ImageIO.read(run.resolve(link).toFile()), link);
        assertTrue(r.out().contains((1 + 7 + 7) + " plots"), r.out());
        assertTrue(md.contains("| eval/test.json | 100 | 0.1200 | 0.2000 | 0.0800 | 0.1000 |"), md);
        assertTrue(md.contains("| step | loss | 20 | 1 | 20 | 0.1500 | 0.1500 | 3 |"), md);
        assertTrue(md.contains("| eval | validation_loss | 4 | 5 | 20 | 0.1750 | 0.1750 | 0.7000 |"), md);
        assertTrue(Files.notExists(run.resolve("report.md")), "the pipeline's report.md is not replaced");

        // Running again over its own output gives the same report.
        CliRun again = CliRun.of("report", "--run", run.toString(), "--title", "Run run1");
        assertEquals(0, again.status(), again.err());
        assertEquals(md, Files.readString(report));
    }

    @Test
    void aTruncatedLastLineIsAWarningAndABadLineAFailure(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("rl"));
        Files.writeString(run.resolve("rl/metrics.jsonl"), "{\"step\":1,\"loss\":0.5}\n{\"step\":2,\"lo");
        CliRun r = CliRun.of("report", "--run", run.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("warning: rl/metrics.jsonl: the last line is cut short"), r.err());

        Files.writeString(run.resolve("rl/metrics.jsonl"), "{\"step\":1,\"loss\":0.5}\n{\"step\":2,,}\n{\"step\":3,\"loss\":0.2}\n");
        CliRun bad = CliRun.of("report", "--run", run.toString());
        assertEquals(Main.FAILURE, bad.status());
        assertTrue(bad.err().contains("metrics.jsonl:2: invalid JSON"), bad.err());
    }

    @Test
    void usageAndMissingFolders(@TempDir Path dir) {
        assertTrue(CliRun.of("help").out().contains(ReportCommand.USAGE), "help lists the command");
        CliRun.of("report").assertUsageError("--run is required");
        CliRun.of("report", "--run", dir.toString(), "--out", "../x.md").assertUsageError("--out needs a file name ending in .md");
        CliRun none = CliRun.of("report", "--run", dir.resolve("nope").toString());
        assertEquals(Main.FAILURE, none.status());
        assertTrue(none.err().contains("nope is not a folder"), none.err());
        CliRun empty = CliRun.of("report", "--run", dir.toString());
        assertEquals(Main.FAILURE, empty.status());
        assertTrue(empty.err().contains("no metrics.jsonl and no evaluation summary"), empty.err());
    }
}
