package dev.latentr3.train.dataset;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reading text files strictly as UTF-8, with errors that say where the bad bytes are. */
final class TextFiles {
    private TextFiles() {}

    /** The whole file as a string; malformed UTF-8 fails naming the line and byte offset. */
    static String readUtf8(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        CharsetDecoder decoder = strictDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (result.isError()) {
            int at = in.position();
            long line = 1;
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new DataFileException("cannot read " + file,
                    List.of(file + ":" + line + ": invalid UTF-8 at byte offset " + at), 1);
        }
        out.flip();
        return out.toString();
    }

    /** A reader over a text file that is gzip-compressed or not (told by its first two bytes, not its name). */
    static BufferedReader openMaybeGzipped(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(raw, 1 << 16) : raw;
        return new BufferedReader(new InputStreamReader(in, strictDecoder()), 1 << 16);
    }

    /**
     * Calls {@code perLine} with each line (without its terminator) and its 1-based number. Stops at malformed
     * UTF-8 (the rest of the file cannot be trusted to be split into the right lines) and records it as a problem.
     */
    static void forEachLine(Path file, DataProblems problems, LineConsumer perLine) {
        long line = 0;
        try (BufferedReader reader = openMaybeGzipped(file)) {
            String text;
            while ((text = reader.readLine()) != null) {
                line++;
                perLine.accept(text, line);
            }
        } catch (MalformedInputException e) {
            problems.add(file.toString(), line + 1, null, "invalid UTF-8; reading stopped here");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (after line " + line + "): " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    interface LineConsumer {
        void accept(String line, long number);
    }

    private static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
