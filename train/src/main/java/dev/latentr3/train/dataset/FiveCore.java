package dev.latentr3.train.dataset;

import java.util.Arrays;

/**
 * Iterative k-core filtering of reviews, as the reference does it: count the reviews of every user and item among
 * the reviews still in play (repeated reviews count), drop every user and item with fewer than k, and repeat until
 * nothing is dropped. Dropped users and items stay dropped.
 */
final class FiveCore {
    private FiveCore() {}

    /**
     * The indices (ascending, i.e. file order) of the reviews that survive: inside {@code [start, end]} (Unix
     * seconds, both ends included), of an item with {@code usableItem[item]}, and of a user and item that each keep
     * at least {@code k} surviving reviews.
     */
    static int[] survivors(RawReviews reviews, long start, long end, boolean[] usableItem, int k) {
        int[] rows = new int[reviews.size];
        int n = 0;
        for (int r = 0; r < reviews.size; r++) {
            long t = reviews.time[r];
            if (t >= start && t <= end && usableItem[reviews.item[r]]) rows[n++] = r;
        }
        int[] userCount = new int[reviews.userNames.size()];
        int[] itemCount = new int[reviews.asins.size()];
        while (true) {
            Arrays.fill(userCount, 0);
            Arrays.fill(itemCount, 0);
            for (int i = 0; i < n; i++) {
                userCount[reviews.user[rows[i]]]++;
                itemCount[reviews.item[rows[i]]]++;
            }
            int kept = 0;
            for (int i = 0; i < n; i++) {
                int r = rows[i];
                if (userCount[reviews.user[r]] >= k && itemCount[reviews.item[r]] >= k) rows[kept++] = r;
            }
            if (kept == n) return Arrays.copyOf(rows, n);
            n = kept;
        }
    }
}
