package dev.latentr3.train.cli;

import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.pipeline.DemoDefaults;
import dev.latentr3.train.pipeline.DemoRun;
import dev.latentr3.train.pipeline.PipelineConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * {@code latentr3 demo}: LatentR3 end to end on the embedded synthetic dataset (see {@link DemoRun}): for each seed
 * the BIGRec-style baseline, LatentR3 after SFT and after SFT + LR-GRPO, evaluated with constrained beam search, then
 * the table of HR / NDCG (mean over seeds, min–max) and latency. Without a config it runs the embedded settings
 * ({@link DemoDefaults}, the same as configs/demo.yaml); {@code --set key=value} changes any of them.
 */
final class DemoCommand {
    private DemoCommand() {}

    static final String USAGE = "demo [--config FILE] [--set key=value]... [--out DIR]";

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws IOException {
        Args args = Args.withConfig(argv, Set.of("--out"), Set.of());
        ConfigTree config = args.config(null);
        DemoRun.Settings settings = DemoDefaults.read(config);
        Device device = PipelineConfig.device(config);
        Path configured = config.path("out", Path.of("runs", "demo-" + System.currentTimeMillis() / 1000));
        Path dir = args.has("--out") ? Path.of(args.string("--out", null)) : configured;
        config.requireAllRead();
        Files.createDirectories(dir);
        long start = System.nanoTime();
        try (var on = DefaultDevice.use(device)) {
            DemoRun.run(settings, dir, out);
        }
        out.printf(Locale.ROOT, "Run folder: %s (report.md, results.json); %.0f s in all%n", dir, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
