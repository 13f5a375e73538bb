package dev.latentr3.train.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheCommands() {
        assertEquals(0, run("help"));
        String text = out.toString(StandardCharsets.UTF_8);
        for (String usage : List.of(DemoCommand.USAGE, "lm-demo [--steps N]", InitModelCommand.USAGE, TokenizeCommand.USAGE, GenerateCommand.USAGE, "help")) {
            assertTrue(text.contains(usage), usage + " is missing from: " + text);
        }
        assertEquals(0, run());
    }

    @Test
    void anUnknownCommandIsAUsageErrorThatNamesIt() {
        assertEquals(Main.USAGE_ERROR, run("trian"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("unknown command 'trian'") && text.contains("demo"), text);
    }

    @Test
    void demoRejectsBadArgumentsBeforeTraining() {
        assertEquals(Main.USAGE_ERROR, run("lm-demo", "--steps", "zero"));
        assertEquals(Main.USAGE_ERROR, run("demo", "--fast"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--steps needs a positive whole number, got 'zero'") && text.contains("'--fast'"), text);
        assertEquals(2, text.lines().count(), "one line per error: " + text);
    }

    @Test
    void lmDemoTrainsAndPrintsASample() {
        assertEquals(0, run("lm-demo", "--steps", "3"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("3/3") && text.contains("Greedy sample: \"The keeper "), text);
    }
}
