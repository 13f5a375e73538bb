package dev.latentr3.train.cli;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.generate.BeamSearch;
import dev.latentr3.model.generate.BeamSearchOptions;
import dev.latentr3.model.generate.Generation;
import dev.latentr3.model.generate.LogitsProcessor;
import dev.latentr3.model.generate.SamplingOptions;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * {@code latentr3 generate}: continues a prompt with any Qwen2 checkpoint folder (config.json, model.safetensors or
 * its sharded index, tokenizer.json) through the KV cache. Greedy by default; sampling when any sampling option is
 * given; beam search with --beams (the best beam is printed). The continuation, special tokens skipped, goes to
 * standard output; the speed to standard error.
 */
final class GenerateCommand {
    private GenerateCommand() {}

    static final String USAGE = "generate --model DIR --prompt TEXT [--max-new N] "
            + "[--greedy | --temperature T --top-k K --top-p P --seed S | --beams N]";
    static final int DEFAULT_MAX_NEW = 64;
    private static final Set<String> SAMPLING = Set.of("--temperature", "--top-k", "--top-p", "--seed");

    /** How to pick tokens, decided from the arguments before any file is read. */
    private sealed interface Mode {}

    private record Greedy() implements Mode {}

    private record Sample(double temperature, int topK, double topP, long seed) implements Mode {}

    private record Beams(int count) implements Mode {}

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws IOException {
        Args args = new Args(argv, Set.of("--model", "--prompt", "--max-new", "--temperature", "--top-k", "--top-p",
                "--seed", "--beams"), Set.of("--greedy"));
        Path dir = args.requiredPath("--model");
        String prompt = args.required("--prompt");
        if (prompt.isEmpty()) throw new Args.UsageException("--prompt must not be empty (the model continues at least one token)");
        int maxNew = args.positiveInt("--max-new", DEFAULT_MAX_NEW);
        Mode mode = mode(args);

        Qwen2ForCausalLM model = Qwen2ForCausalLM.load(dir);
        Tokenizer tokenizer = Tokenizer.load(dir.resolve("tokenizer.json"));
        int[] promptIds = tokenizer.encode(prompt);
        long start = System.nanoTime();
        int[] generated = generate(model, promptIds, maxNew, mode, tokenizer.vocabSize());
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println(tokenizer.decode(generated, true));
        out.flush();
        err.printf(Locale.ROOT, "%d prompt tokens, %d new tokens in %.2f s: %.1f tokens/s%n",
                promptIds.length, generated.length, seconds, generated.length / seconds);
        return 0;
    }

    /**
     * The generated ids (eos included when reached) of one prompt, with the model's eos from its config. Ids from
     * tokenizerSize on are forbidden: a model may have more embedding rows than its tokenizer has tokens (a
     * byte-level tokenizer on Qwen2.5's 151,936 rows), and those rows have no text.
     */
    private static int[] generate(Qwen2ForCausalLM model, int[] promptIds, int maxNew, Mode mode, int tokenizerSize) {
        int eos = model.config().eosTokenId();
        LogitsProcessor processor = tokenizerSize >= model.config().vocabSize() ? LogitsProcessor.NONE
                : (prompt, generated, logProbs) -> Arrays.fill(logProbs, tokenizerSize, logProbs.length, Float.NEGATIVE_INFINITY);
        int rowsPerPrompt = mode instanceof Beams b ? b.count() : 1;
        try (TensorScope scope = TensorScope.open();
             Qwen2Decoder decoder = Qwen2Decoder.start(model, Tensor.ofInts(promptIds, 1, promptIds.length), null,
                     rowsPerPrompt, maxNew)) {
            return switch (mode) {
                case Greedy g -> Generation.greedy(decoder, maxNew, eos, processor)[0];
                case Sample s -> Generation.sample(decoder,
                        new SamplingOptions(maxNew, eos, s.temperature(), s.topK(), s.topP(), s.seed()), processor)[0];
                case Beams b -> BeamSearch.search(decoder, new BeamSearchOptions(b.count(), maxNew, eos, 1.0, false),
                        processor).getFirst().getFirst().tokens();
            };
        }
    }

    private static Mode mode(Args args) {
        boolean sampling = SAMPLING.stream().anyMatch(args::has);
        boolean beams = args.has("--beams");
        if ((args.has("--greedy") ? 1 : 0) + (sampling ? 1 : 0) + (beams ? 1 : 0) > 1) {
            throw new Args.UsageException("choose one of --greedy, sampling (--temperature, --top-k, --top-p, --seed) and --beams");
        }
        if (beams) return new Beams(args.positiveInt("--beams", 1));
        if (!sampling) return new Greedy();
        double temperature = args.number("--temperature", 1.0, Double.MIN_VALUE, Double.MAX_VALUE, "a number > 0");
        int topK = args.nonNegativeInt("--top-k", 0);
        double topP = args.number("--top-p", 1.0, Double.MIN_VALUE, 1.0, "a number > 0 and <= 1");
        return new Sample(temperature, topK, topP, args.longValue("--seed", 0L));
    }
}
