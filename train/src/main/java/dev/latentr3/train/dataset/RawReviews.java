package dev.latentr3.train.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of an Amazon 2018 review file (JSON lines, gzip-compressed or not) that the pipeline uses —
 * {@code reviewerID}, {@code asin}, {@code overall}, {@code unixReviewTime} — kept in file order as compact columns
 * (users and items as indices into name lists), since a category file holds millions of reviews.
 */
final class RawReviews {
    final List<String> userNames = new ArrayList<>();
    final List<String> asins = new ArrayList<>();
    final Map<String, Integer> itemIndex = new HashMap<>();
    private final Map<String, Integer> userIndex = new HashMap<>();
    int[] user = new int[1024];
    int[] item = new int[1024];
    long[] time = new long[1024];
    double[] rating = new double[1024];
    int size;

    private RawReviews() {}

    static RawReviews read(Path file) {
        RawReviews r = new RawReviews();
        DataProblems problems = new DataProblems("cannot read reviews " + file);
        String name = file.toString();
        TextFiles.forEachLine(file, problems, (line, number) -> {
            Map<String, Object> review = JsonLines.object(line, name, number, problems);
            if (review == null) return;
            String reviewer = JsonLines.string(review, "reviewerID", name, number, problems);
            String asin = JsonLines.string(review, "asin", name, number, problems);
            Object overall = review.get("overall");
            Object when = review.get("unixReviewTime");
            boolean ok = reviewer != null && asin != null;
            if (!(overall instanceof Long || overall instanceof Double)) {
                problems.add(name, number, "overall", "expected a number, found " + JsonLines.describe(overall));
                ok = false;
            }
            if (!(when instanceof Long)) {
                problems.add(name, number, "unixReviewTime", "expected an integer (Unix seconds), found " + JsonLines.describe(when));
                ok = false;
            }
            if (ok) r.add(reviewer, asin, ((Number) overall).doubleValue(), (Long) when);
        });
        problems.throwIfAny();
        return r;
    }

    private void add(String reviewer, String asin, double stars, long unixTime) {
        if (size == user.length) {
            int n = size * 2;
            user = Arrays.copyOf(user, n);
            item = Arrays.copyOf(item, n);
            time = Arrays.copyOf(time, n);
            rating = Arrays.copyOf(rating, n);
        }
        user[size] = userIndex.computeIfAbsent(reviewer, k -> {
            userNames.add(k);
            return userNames.size() - 1;
        });
        item[size] = itemIndex.computeIfAbsent(asin, k -> {
            asins.add(k);
            return asins.size() - 1;
        });
        time[size] = unixTime;
        rating[size] = stars;
        size++;
    }
}
