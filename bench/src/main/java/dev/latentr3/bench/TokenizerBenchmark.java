package dev.latentr3.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.latentr3.model.tokenizer.Tokenizer;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Encode throughput of our Qwen2 tokenizer against Hugging Face tokenizers (Rust, called through DJL's JNI binding)
 * on the same text, single-threaded, either one encode call per line or one call for the whole text. The {@code bytes} secondary result is UTF-8
 * input bytes per second: divide by 1e6 for MB/s.
 *
 * <p>Two ways to call HF. "huggingface" is DJL's {@code encode}, what a JVM caller of DJL pays: after the Rust encode
 * it fetches nine arrays over JNI to build its Encoding, among them every token as a Java String and every token's
 * character span as an object, a per-token cost outside the tokenizer. "huggingface-ids" calls DJL's JNI layer
 * directly: the Rust encode, then only the id array (one crossing in, one array out, the native encoding freed),
 * which is as close to the Rust tokenizer's own speed as a JVM caller can get and what ours (ids only) is
 * comparable with.
 *
 * <p>Needs Qwen's tokenizer.json (see {@link TokenizerBenchText#qwenTokenizerJson}) and, for "titles", ../shared.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TokenizerBenchmark {
    @Param({"ours", "huggingface", "huggingface-ids"})
    public String impl;

    @Param({"titles", "mixed"})
    public String text;

    /** "lines": one encode call per line (many short texts); "document": the lines joined by newlines, one call. */
    @Param({"lines", "document"})
    public String unit;

    private List<String> lines;
    private long bytesPerPass;
    private Tokenizer ours;
    private HuggingFaceTokenizer hf;
    private long hfHandle;

    /** Counts input bytes so JMH reports bytes per second beside passes per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        lines = text.equals("titles") ? TokenizerBenchText.amazonTitles() : TokenizerBenchText.mixed();
        if (unit.equals("document")) lines = List.of(String.join("\n", lines));
        bytesPerPass = TokenizerBenchText.utf8Bytes(lines);
        var json = TokenizerBenchText.qwenTokenizerJson();
        if (impl.equals("ours")) {
            ours = Tokenizer.load(json);
        } else {
            hf = HuggingFaceTokenizer.newInstance(json, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            hfHandle = hf.getHandle();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (hf != null) hf.close();
    }

    /** One pass over the text; returns the token count so the work cannot be optimized away. */
    @Benchmark
    public long encodeAllLines(Bytes counter) {
        long tokens = 0;
        if (ours != null) {
            for (String line : lines) tokens += ours.encode(line).length;
        } else if (impl.equals("huggingface")) {
            for (String line : lines) tokens += hf.encode(line).getIds().length;
        } else {
            TokenizersLibrary lib = TokenizersLibrary.LIB;
            for (String line : lines) {
                long encoding = lib.encode(hfHandle, line, false);
                try {
                    tokens += lib.getTokenIds(encoding).length;
                } finally {
                    lib.deleteEncoding(encoding);
                }
            }
        }
        counter.bytes += bytesPerPass;
        return tokens;
    }
}
