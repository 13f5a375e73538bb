package dev.latentr3.train.pipeline;

import dev.latentr3.train.eval.RankingMetrics;
import dev.latentr3.train.report.MetricsCurves;
import dev.latentr3.train.report.RunReport;
import dev.latentr3.train.report.Series;
import dev.latentr3.train.sft.SftTrainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's report.md with plots: the comparison table, RL's clean reward before and after, and curves of the SFT
 * loss, the RL rewards and advantages (from each stage's metrics.jsonl) and HR@K / NDCG@K against K.
 */
final class DemoReport {
    private DemoReport() {}

    /** Writes report.md and its plots; returns the plots that could not be drawn (the report says why in their place). */
    static List<String> write(DemoRun.Settings s, DatasetSplits data, DemoRun.Result r, String tokenizerName) {
        Path run = r.runDir();
        RunReport report = new RunReport(run, "LatentR3 demo");
        report.section("Setup", String.format(Locale.ROOT, """
                        Data: %d items, %d / %d / %d train / valid / test rows (%s). Tokenizer: %s. Model: Qwen2, %d layers, \
                        hidden %d, trained from scratch. Seeds %s. SFT: %d epoch(s), lr %.1e, cutoff %d. RL: %d steps of %d \
                        groups x %d copies, sigma %.2f, %s advantages, lr %.1e. Evaluation: %d beams over the title trie, \
                        %s test rows.""",
                data.catalog().size(), data.train().size(), data.valid().size(), data.test().size(),
                s.source() == null ? "synthetic" : "real", tokenizerName, s.shape().layers(), s.shape().hidden(), s.seeds(),
                s.sft().epochs(), s.sft().peakLr(), s.sft().cutoff(), s.rl().trainer().steps(), s.rl().trainer().groupsPerStep(),
                s.rl().trainer().grpo().groupSize(), s.rl().trainer().grpo().sigma(), s.rl().trainer().grpo().advantages(),
                s.rl().trainer().learningRate(), s.eval().options().numBeams(),
                s.eval().maxRows() == 0 ? "all" : "the first " + Math.min(s.eval().maxRows(), data.test().size())));
        report.section("Test metrics", DemoRun.table(r));

        List<List<String>> rl = new ArrayList<>();
        for (int i = 0; i < r.rl().size(); i++) {
            RlStage.Outcome o = r.rl().get(i);
            rl.add(List.of(Long.toString(s.seeds().get(i)), fmt(o.heldOutCleanRewardBefore()), fmt(o.heldOutCleanRewardAfter()),
                    fmt(o.scaleBefore().latentRms()), fmt(o.scaleBefore().embeddingRms())));
        }
        report.table("LR-GRPO: clean reward (-PPL of the target, noise-free latent) on the validation rows",
                List.of("seed", "before RL", "after RL", "latent RMS", "token embedding RMS"), rl);

        // Each plot reads its metrics inside the report's plot boundary: a file that cannot be read costs that plot.
        report.plot("sft-loss", "SFT training loss", "step", "cross-entropy", () -> sftLoss(s, run));
        report.plot("rl-reward", "LR-GRPO reward (-PPL) per step", "step", "reward", () -> rlCurves(s, run,
                List.of("clean", "all copies"), List.of("clean_reward_mean", "reward_mean")));
        report.plot("rl-advantage", "LR-GRPO advantages per step", "step", "advantage", () -> rlCurves(s, run,
                List.of("std", "max"), List.of("advantage_std", "advantage_max")));

        double[] ks = RankingMetrics.CUTOFFS.stream().mapToDouble(Integer::doubleValue).toArray();
        List<Series> hr = new ArrayList<>(), ndcg = new ArrayList<>();
        for (String v : DemoRun.VARIANTS) {
            double[] h = new double[ks.length], n = new double[ks.length];
            for (int i = 0; i < ks.length; i++) {
                int k = (int) ks[i];
                h[i] = r.metric(v, o -> o.report().metrics().hitRate(k)).mean();
                n[i] = r.metric(v, o -> o.report().metrics().ndcg(k)).mean();
            }
            hr.add(new Series(v, ks, h));
            ndcg.add(new Series(v, ks, n));
        }
        report.plot("hr-at-k", "HR@K, mean over seeds", "K", "HR", hr);
        report.plot("ndcg-at-k", "NDCG@K, mean over seeds", "K", "NDCG", ndcg);
        report.write();
        return report.plotFailures();
    }

    /** SFT's training loss of the baseline and the LatentR3 model, per seed. */
    private static List<Series> sftLoss(DemoRun.Settings s, Path run) {
        List<Series> loss = new ArrayList<>();
        for (long seed : s.seeds()) {
            Path dir = run.resolve("seed-" + seed);
            for (String v : List.of(DemoRun.VARIANTS.get(0), DemoRun.VARIANTS.get(1))) {
                loss.add(MetricsCurves.read(dir.resolve(v).resolve(SftTrainer.METRICS)).where("type", "step")
                        .series(v + " s" + seed, "step", "loss"));
            }
        }
        return loss;
    }

    /** The RL stage's keys against step, per seed, each named by its legend name and the seed. */
    private static List<Series> rlCurves(DemoRun.Settings s, Path run, List<String> names, List<String> keys) {
        List<Series> out = new ArrayList<>();
        for (long seed : s.seeds()) {
            Path file = run.resolve("seed-" + seed).resolve(DemoRun.VARIANTS.get(2)).resolve(RlStage.METRICS);
            MetricsCurves curves = MetricsCurves.read(file);
            for (int i = 0; i < keys.size(); i++) out.add(curves.series(names.get(i) + " s" + seed, "step", keys.get(i)));
        }
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
