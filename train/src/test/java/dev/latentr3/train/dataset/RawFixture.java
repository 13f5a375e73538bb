package dev.latentr3.train.dataset;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Builds raw Amazon 2018 files (JSON lines) in code, for the prepare-data tests (here and in the CLI's). */
public final class RawFixture {
    private final List<String> reviews = new ArrayList<>();
    private final List<String> metadata = new ArrayList<>();

    public static long at(String isoInstant) {
        return Instant.parse(isoInstant).getEpochSecond();
    }

    /** A review line as the 2018 files have them, with fields the pipeline ignores around the ones it reads. */
    public RawFixture review(String user, String asin, String overall, long time) {
        reviews.add("{\"overall\": " + overall + ", \"verified\": true, \"reviewTime\": \"01 1, 2018\", \"reviewerID\": \""
                + user + "\", \"asin\": \"" + asin + "\", \"style\": {\"Format:\": \" Audio CD\"}, \"reviewerName\": \"R\", "
                + "\"reviewText\": \"Great, \\\"really\\\"\", \"summary\": \"Five Stars\", \"unixReviewTime\": " + time + "}");
        return this;
    }

    public RawFixture rawReview(String line) {
        reviews.add(line);
        return this;
    }

    /** A metadata line; {@code title} null leaves the field out. */
    public RawFixture meta(String asin, String title) {
        metadata.add("{\"category\": [\"CDs & Vinyl\"], \"description\": [], \"asin\": \"" + asin + "\""
                + (title == null ? "" : ", \"title\": " + json(title)) + ", \"brand\": \"\"}");
        return this;
    }

    public RawFixture rawMeta(String line) {
        metadata.add(line);
        return this;
    }

    public Path writeReviews(Path file, boolean gzip) throws IOException {
        return write(file, reviews, gzip);
    }

    public Path writeMetadata(Path file, boolean gzip) throws IOException {
        return write(file, metadata, gzip);
    }

    private static Path write(Path file, List<String> lines, boolean gzip) throws IOException {
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes);
        }
        return file;
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
