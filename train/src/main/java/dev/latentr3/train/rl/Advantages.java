package dev.latentr3.train.rl;

/**
 * Advantages of LR-GRPO samples from their rewards, laid out [groups][copies] with copy 0 the group's noise-free
 * (clean) sample. Computed in double; the reference computes in float32, which differs only in rounding.
 */
public final class Advantages {
    /** The reference's epsilon in the L2 normalisation: A / (||A||_2 + 1e-6) (method doc §3.2). */
    public static final double BATCH_NORM_EPS = 1e-6;
    /** TRL's epsilon in the group standardisation: (s - mean) / (std + 1e-4). */
    public static final double GROUP_STD_EPS = 1e-4;

    /** Which advantage LR-GRPO uses. */
    public enum Kind {
        /**
         * The paper's and released code's batch-level advantage (method doc §3.1, §3.2): baseline b = mean over the
         * groups of each group's clean reward s[g][0]; A = s - b; A = A / (||A||_2 + 1e-6) over every entry of the
         * batch. All-equal rewards give A = 0 (0 / 1e-6).
         */
        BATCH_BASELINE,
        /**
         * The usual GRPO advantage as TRL computes it, per group: (s - mean) / (std + 1e-4), std the unbiased
         * (n - 1) standard deviation. A group of one copy has no spread; its advantage is 0 (torch would give NaN).
         */
        GROUP_MEAN_STD
    }

    private Advantages() {}

    /**
     * Advantages for rewards [groups][copies], the batch scope of {@link Kind#BATCH_BASELINE} being consecutive
     * runs of {@code groupsPerBatch} groups (the last one possibly shorter); {@code groupsPerBatch <= 0} means all
     * groups form one batch. The released code's batch is the gathered micro-batch of 2 groups (doc §9.5); the
     * grouping does not matter for {@link Kind#GROUP_MEAN_STD}.
     */
    public static double[][] compute(Kind kind, double[][] rewards, int groupsPerBatch) {
        int copies = checkRectangular(rewards);
        double[][] out = new double[rewards.length][];
        if (kind == Kind.GROUP_MEAN_STD) {
            for (int g = 0; g < rewards.length; g++) out[g] = groupStandardized(rewards[g]);
            return out;
        }
        int scope = groupsPerBatch <= 0 ? rewards.length : groupsPerBatch;
        for (int start = 0; start < rewards.length; start += scope) {
            int end = Math.min(rewards.length, start + scope);
            double[][] part = batchBaseline(java.util.Arrays.copyOfRange(rewards, start, end));
            System.arraycopy(part, 0, out, start, end - start);
        }
        assert copies > 0;
        return out;
    }

    /** {@link Kind#BATCH_BASELINE} over all the given groups as one batch. */
    public static double[][] batchBaseline(double[][] rewards) {
        int copies = checkRectangular(rewards);
        double baseline = 0;
        for (double[] group : rewards) baseline += group[0];
        baseline /= rewards.length;
        double[][] a = new double[rewards.length][copies];
        double sumSq = 0;
        for (int g = 0; g < rewards.length; g++) {
            for (int k = 0; k < copies; k++) {
                a[g][k] = rewards[g][k] - baseline;
                sumSq += a[g][k] * a[g][k];
            }
        }
        double scale = 1 / (Math.sqrt(sumSq) + BATCH_NORM_EPS);
        for (double[] group : a) for (int k = 0; k < copies; k++) group[k] *= scale;
        return a;
    }

    /** {@link Kind#GROUP_MEAN_STD} for one group's rewards. */
    public static double[] groupStandardized(double[] rewards) {
        int n = rewards.length;
        double[] a = new double[n];
        if (n < 2) return a;
        double mean = 0;
        for (double s : rewards) mean += s;
        mean /= n;
        double sq = 0;
        for (double s : rewards) sq += (s - mean) * (s - mean);
        double std = Math.sqrt(sq / (n - 1));
        for (int k = 0; k < n; k++) a[k] = (rewards[k] - mean) / (std + GROUP_STD_EPS);
        return a;
    }

    private static int checkRectangular(double[][] rewards) {
        if (rewards.length == 0 || rewards[0].length == 0) {
            throw new IllegalArgumentException("Advantages: expected rewards for at least one group of at least one copy");
        }
        int copies = rewards[0].length;
        for (int g = 0; g < rewards.length; g++) {
            if (rewards[g].length != copies) {
                throw new IllegalArgumentException("Advantages: group " + g + " has " + rewards[g].length
                        + " rewards, group 0 has " + copies + "; every group needs the same number of copies");
            }
            for (double s : rewards[g]) {
                if (!Double.isFinite(s)) throw new IllegalArgumentException("Advantages: group " + g + " has a non-finite reward " + s);
            }
        }
        return copies;
    }
}
