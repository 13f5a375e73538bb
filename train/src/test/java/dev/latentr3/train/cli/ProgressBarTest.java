package dev.latentr3.train.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong();

    @Test
    void withoutATerminalItPrintsOnePlainLinePerTenth() {
        ProgressBar bar = new ProgressBar("train", 200, out, false, clock::get);
        for (int i = 1; i <= 200; i++) {
            clock.addAndGet(50_000_000L); // 50 ms a step
            bar.update(i, "loss 1.000");
        }
        bar.finish();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"));
        String[] lines = text.split("\n");
        assertEquals(10, lines.length, text);
        // At step 20 of 200, 1 s has passed: 9 s are left.
        assertEquals("train [###" + ".".repeat(27) + "] 20/200 loss 1.000 | ETA 0:09", lines[0]);
        assertTrue(lines[9].startsWith("train [##############################] 200/200") && lines[9].endsWith("done in 0:10"), lines[9]);
    }

    @Test
    void onATerminalItRedrawsOneLineAtMostTenTimesASecond() {
        ProgressBar bar = new ProgressBar("train", 100, out, true, clock::get);
        for (int i = 1; i <= 100; i++) {
            clock.addAndGet(10_000_000L); // 10 ms a step: 1 s in all
            bar.update(i, "");
        }
        bar.finish();
        String text = bytes.toString(StandardCharsets.UTF_8);
        long redraws = text.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 10 && redraws <= 12, redraws + " redraws");
        assertTrue(text.endsWith("100/100 | done in 0:01\n"), text);
        assertEquals(1, text.split("\n").length);
    }

    @Test
    void durationsReadAsClockTimes() {
        assertEquals("0:07", ProgressBar.duration(7.4));
        assertEquals("2:05", ProgressBar.duration(125));
        assertEquals("1:01:01", ProgressBar.duration(3661));
        assertEquals("--:--", ProgressBar.duration(-1));
    }
}
