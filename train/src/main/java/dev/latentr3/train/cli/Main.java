package dev.latentr3.train.cli;

import dev.latentr3.model.json.FileFormatException;
import dev.latentr3.train.config.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/** The {@code latentr3} command line: the first word names a command, the rest are its arguments. */
public final class Main {
    private Main() {}

    /** One command: how it is called, what it does, and its body (returns the process exit status). */
    record Command(String name, String usage, String summary, Body body) {
        @FunctionalInterface
        interface Body {
            /** Throws {@link Args.UsageException} for a command line it cannot understand, before doing any work. */
            int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws IOException;
        }
    }

    /** Exit status for a command line we could not understand (as sysexits' EX_USAGE is for many tools: 2). */
    static final int USAGE_ERROR = 2;
    /** Exit status for a command that understood its arguments but failed (a missing or malformed file, say). */
    static final int FAILURE = 1;

    private static final List<Command> COMMANDS = List.of(
            new Command("demo", DemoCommand.USAGE,
                    "LatentR3 on the built-in synthetic dataset: baseline SFT, LatentR3 SFT and SFT + RL for 3 seeds, "
                            + "evaluated by constrained beam search; prints HR/NDCG@5/10 and latency (minutes on 2 cores)",
                    DemoCommand::run),
            new Command("sft", SftCommand.USAGE,
                    "stage 1: SFT of LatentR3 (thought token + LatentRATT) or of the BIGRec-style baseline (configs/sft.yaml)",
                    SftCommand::run),
            new Command("rl", RlCommand.USAGE,
                    "stage 2: LR-GRPO on LatentRATT from a LatentR3 SFT model, the LLM frozen (configs/rl.yaml)",
                    RlCommand::run),
            new Command("eval", EvalCommand.USAGE,
                    "constrained beam search over the title trie: HR/NDCG@1,3,5,10,20, latency, predictions (configs/eval.yaml)",
                    EvalCommand::run),
            new Command("lm-demo", "lm-demo [--steps N]",
                    "trains a tiny 2-layer Qwen2 on a built-in text for N steps (default "
                            + LmDemoCommand.DEFAULT_STEPS + ", about a minute on 2 cores), then prints a greedy sample",
                    LmDemoCommand::run),
            new Command("init-model", InitModelCommand.USAGE,
                    "writes a randomly initialised Qwen2 folder (config.json, model.safetensors, tokenizer.json)",
                    InitModelCommand::run),
            new Command("tokenize", TokenizeCommand.USAGE,
                    "prints each stdin line's token ids and tokens as one JSON object per line",
                    TokenizeCommand::run),
            new Command("generate", GenerateCommand.USAGE,
                    "continues a prompt with a Qwen2 checkpoint folder (greedy by default, or sampling, or beams)",
                    GenerateCommand::run),
            new Command("prepare-data", PrepareDataCommand.USAGE,
                    "writes a dataset folder (info.txt, train/valid/test.csv) from raw Amazon 2018 reviews and metadata "
                            + "or from the synthetic generator, as its YAML config says (see configs/prepare-data.yaml)",
                    PrepareDataCommand::run),
            new Command("doctor", "doctor", "reports the JDK, the CPU's vector width, and the CUDA driver, device, "
                    + "kernels, cuBLAS and emulator (or why each is missing)",
                    (args, in, out, err) -> DoctorCommand.run(args, out, err)),
            new Command("report", ReportCommand.USAGE, ReportCommand.SUMMARY, ReportCommand::run),
            new Command("help", "help", "lists the commands", (args, in, out, err) -> {
                printHelp(out);
                return 0;
            }));

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err);
        if (status != 0) System.exit(status);
    }

    /** Runs a command line with no standard input (an empty one). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String name = args.length == 0 ? "help" : args[0];
        if (name.equals("--help") || name.equals("-h")) name = "help";
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        for (Command c : COMMANDS) {
            if (c.name().equals(name)) return runCommand(c, rest, in, out, err);
        }
        err.println("latentr3: unknown command '" + name + "'. Commands: "
                + String.join(", ", COMMANDS.stream().map(Command::name).toList()) + " (see 'latentr3 help').");
        return USAGE_ERROR;
    }

    private static int runCommand(Command c, String[] args, InputStream in, PrintStream out, PrintStream err) {
        try {
            return c.body().run(args, in, out, err);
        } catch (Args.UsageException e) {
            err.println("latentr3 " + c.name() + ": " + e.getMessage() + ". Usage: latentr3 " + c.usage());
            return USAGE_ERROR;
        } catch (IOException | UncheckedIOException | FileFormatException | ConfigException | IllegalArgumentException e) {
            // Expected failures (files missing or malformed, a config the model refuses): the message names the cause.
            err.println("latentr3 " + c.name() + ": " + e.getMessage());
            return FAILURE;
        }
    }

    static void printHelp(PrintStream out) {
        out.println("Usage: latentr3 <command> [arguments]");
        out.println();
        out.println("Commands:");
        // Usage and summary on lines of their own: some usages are too long to share a line with a column of text.
        for (Command c : COMMANDS) {
            out.println("  " + c.usage());
            out.println("      " + c.summary());
        }
    }
}
