package dev.latentr3.bench;

import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.model.latent.LatentRATT;
import dev.latentr3.model.latent.ThoughtToken;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Init;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import dev.latentr3.train.dataset.SyntheticDataset;
import dev.latentr3.train.eval.DecoderFactory;
import dev.latentr3.train.eval.EvaluationOptions;
import dev.latentr3.train.eval.Evaluator;
import dev.latentr3.train.eval.LatentDecoderFactory;
import dev.latentr3.train.eval.QwenDecoderFactory;
import dev.latentr3.train.eval.TitleTrie;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference's evaluation (constrained beam search, 10 beams, BIGRec-style ranking) of {@link #USERS} test users
 * of a synthetic CDs-like data set, through {@link Evaluator}, in one batch: the tiny preset over the byte-level
 * tokenizer with the thought token, with LatentRATT ("latent": prompts end with the thought token, r is computed
 * from the prompt pass and injected as one cached step, LatentModel.startDecoding) or the same LLM without the
 * thought token ("baseline": the BIGRec-style model). The report gives users per second; latent over baseline time
 * is the cost of latent reasoning at inference, which the paper puts at about one extra prompt pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class EvaluationBenchmark {
    /** Test users per call, decoded as one batch (the reference decodes 12 or 24 per batch). */
    public static final int USERS = 12;
    public static final int BEAMS = 10;

    @Param({"latent", "baseline"})
    public String model;

    private Evaluator evaluator;
    private DecoderFactory factory;
    private List<Interaction> rows;

    @Setup(Level.Trial)
    public void setUp() {
        Tokenizer tokenizer = ByteLevelTokenizerJson.tokenizer(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS)
                .withSpecialToken(ThoughtToken.CONTENT);
        int thought = tokenizer.tokenId(ThoughtToken.CONTENT);
        SyntheticDataset.Generated data = SyntheticDataset.generate(SyntheticDataset.Options.of(192, USERS, 7));
        rows = data.rows().subList(0, USERS);
        Qwen2Config config = TrainShapes.config("tiny");
        if (config.vocabSize() != tokenizer.vocabSize()) {
            throw new IllegalStateException("EvaluationBenchmark: the tiny preset has " + config.vocabSize()
                    + " rows, the tokenizer " + tokenizer.vocabSize());
        }
        Qwen2ForCausalLM llm = Qwen2Init.model(config, Rng.seeded(0)).requiresGrad(false);
        boolean latent = model.equals("latent");
        SequenceTokens tokens = new SequenceTokens(tokenizer, new PromptTemplate("cds"), latent);
        evaluator = new Evaluator(tokens, TitleTrie.build(data.catalog(), tokens), data.catalog(),
                EvaluationOptions.reference(USERS));
        if (latent) {
            LatentModel m = new LatentModel(llm, LatentRATT.initialize(config.hiddenSize(), config.initializerRange(), 1), thought);
            factory = new LatentDecoderFactory(m, tokens.eosTokenId());
        } else if (model.equals("baseline")) {
            factory = new QwenDecoderFactory(llm, tokens.eosTokenId());
        } else {
            throw new IllegalArgumentException("EvaluationBenchmark: model must be latent or baseline, got " + model);
        }
    }

    /** Evaluates the users; returns the hits at 10 so the work cannot be optimized away. */
    @Benchmark
    public double evaluate() {
        return evaluator.evaluate(rows, factory, null).metrics().hitRate(10);
    }
}
