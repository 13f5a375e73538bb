package dev.latentr3.train.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** The {@code latentr3} command line: the first word names a command, the rest are its arguments. */
public final class Main {
    private Main() {}

    /** One command: how it is called, what it does, and its body (returns the process exit status). */
    record Command(String name, String usage, String summary, Body body) {
        @FunctionalInterface
        interface Body {
            int run(String[] args, PrintStream out, PrintStream err);
        }
    }

    /** Exit status for a command line we could not understand (as sysexits' EX_USAGE is for many tools: 2). */
    static final int USAGE_ERROR = 2;

    private static final List<Command> COMMANDS = List.of(
            new Command("demo", "demo [--steps N]",
                    "trains a tiny 2-layer transformer LM on a built-in text for N steps (default "
                            + DemoCommand.DEFAULT_STEPS + ", about a minute on 2 cores), then prints a greedy sample",
                    DemoCommand::run),
            new Command("help", "help", "lists the commands", (args, out, err) -> {
                printHelp(out);
                return 0;
            }));

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) System.exit(status);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String name = args.length == 0 ? "help" : args[0];
        if (name.equals("--help") || name.equals("-h")) name = "help";
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        for (Command c : COMMANDS) {
            if (c.name().equals(name)) return c.body().run(rest, out, err);
        }
        err.println("latentr3: unknown command '" + name + "'. Commands: "
                + String.join(", ", COMMANDS.stream().map(Command::name).toList()) + " (see 'latentr3 help').");
        return USAGE_ERROR;
    }

    static void printHelp(PrintStream out) {
        out.println("Usage: latentr3 <command> [arguments]");
        out.println();
        out.println("Commands:");
        int width = COMMANDS.stream().mapToInt(c -> c.usage().length()).max().orElse(0);
        for (Command c : COMMANDS) {
            out.println("  " + c.usage() + " ".repeat(width - c.usage().length() + 2) + c.summary());
        }
    }
}
