package dev.latentr3.train.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** A few kilobytes of plain English prose shipped inside the jar, for the demo and for training tests. */
public final class TinyCorpus {
    private TinyCorpus() {}

    private static final String RESOURCE = "/dev/latentr3/train/data/tiny-corpus.txt";

    public static String text() {
        try (InputStream in = TinyCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("TinyCorpus: resource " + RESOURCE + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("TinyCorpus: cannot read " + RESOURCE, e);
        }
    }
}
