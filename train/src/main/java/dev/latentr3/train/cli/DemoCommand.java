package dev.latentr3.train.cli;

import dev.latentr3.train.pipeline.DemoDefaults;
import dev.latentr3.train.pipeline.DemoRun;
import dev.latentr3.train.rl.Advantages;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code latentr3 demo}: LatentR3 end to end on the embedded synthetic dataset (see {@link DemoRun}): for each seed
 * the BIGRec-style baseline, LatentR3 after SFT and after SFT + LR-GRPO, evaluated with constrained beam search, then
 * the table of HR / NDCG (mean over seeds, min–max) and latency. Sized for a few minutes on 2 cores.
 */
final class DemoCommand {
    private DemoCommand() {}

    static final String USAGE = "demo [--out DIR] [--seeds N] [--users N] [--sft-epochs N] [--rl-steps N] [--advantages group|batch]";
    static final int SEEDS = 3, USERS = 300, SFT_EPOCHS = 1, RL_STEPS = 30;

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws java.io.IOException {
        Args args = new Args(argv, Set.of("--out", "--seeds", "--users", "--sft-epochs", "--rl-steps", "--advantages"), Set.of());
        int seeds = args.positiveInt("--seeds", SEEDS);
        int users = args.positiveInt("--users", USERS);
        int epochs = args.positiveInt("--sft-epochs", SFT_EPOCHS);
        int rlSteps = args.positiveInt("--rl-steps", RL_STEPS);
        String kind = args.string("--advantages", "group");
        if (!kind.equals("group") && !kind.equals("batch")) {
            throw new Args.UsageException("--advantages must be group or batch, got '" + kind + "'");
        }
        var advantages = kind.equals("group") ? Advantages.Kind.GROUP_MEAN_STD : Advantages.Kind.BATCH_BASELINE;
        Path dir = Path.of(args.string("--out", "runs/demo-" + System.currentTimeMillis() / 1000));
        List<Long> seedList = new ArrayList<>();
        for (int i = 0; i < seeds; i++) seedList.add(1L + i);
        Files.createDirectories(dir);
        long start = System.nanoTime();
        DemoRun.run(DemoDefaults.settings(users, epochs, rlSteps, advantages, seedList), dir, out);
        out.printf(Locale.ROOT, "Run folder: %s (report.md, results.json); %.0f s in all%n", dir, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
