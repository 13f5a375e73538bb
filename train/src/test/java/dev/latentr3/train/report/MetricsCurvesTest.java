package dev.latentr3.train.report;

import dev.latentr3.model.json.FileFormatException;
import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.train.rl.RlTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsCurvesTest {
    /** As SftTrainer writes it: step lines and eval lines in one file. */
    private static final String SFT = """
            {"type":"step","step":1,"loss":2.5,"lr":1.0E-4,"grad_norm":3.0,"tokens":100,"seconds":0.5,"tokens_per_s":200.0}
            {"type":"step","step":2,"loss":2.0,"lr":1.0E-4,"grad_norm":2.0,"tokens":100,"seconds":0.5,"tokens_per_s":200.0}
            {"type":"eval","step":2,"validation_loss":2.2,"improved":true}
            {"type":"step","step":3,"loss":1.5,"lr":5.0E-5,"grad_norm":1.0,"tokens":100,"seconds":0.5,"tokens_per_s":200.0}
            {"type":"eval","step":3,"validation_loss":2.4,"improved":false}
            """;

    @Test
    void stepAndEvalCurvesOfAnSftLog(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, SFT);
        MetricsCurves curves = MetricsCurves.read(file);
        Series loss = curves.series("step", "loss");
        assertEquals("loss", loss.name());
        assertArrayEquals(new double[] {1, 2, 3}, loss.x());
        assertArrayEquals(new double[] {2.5, 2.0, 1.5}, loss.y());
        Series val = curves.where("type", "eval").series("validation", "step", "validation_loss");
        assertEquals("validation", val.name());
        assertArrayEquals(new double[] {2, 3}, val.x());
        assertArrayEquals(new double[] {2.2, 2.4}, val.y());
        assertEquals(List.of("step", "loss", "lr", "grad_norm", "tokens", "seconds", "tokens_per_s", "validation_loss"),
                curves.numericKeys());
        assertEquals(List.of("step", "eval"), curves.valuesOf("type"));
        assertEquals(2, curves.where("type", "eval").lineCount());
        assertEquals(1.5, curves.last("loss"));
    }

    @Test
    void theRlSchemaIsWhatTheTrainerWrites() {
        var m = new RlTrainer.StepMetrics(4, 0.1, 0.5, 0.4, 0.0, 1.0, -1.2, 1.3, 0.7, 1e-5, 2.0);
        MetricsCurves curves = MetricsCurves.parse(JsonWriter.compact(m.toJson()) + "\n", "rl/metrics.jsonl");
        assertEquals(List.of("step", "loss", "reward_mean", "clean_reward_mean", "advantage_mean", "advantage_std",
                "advantage_min", "advantage_max", "grad_norm", "learning_rate", "seconds"), curves.numericKeys());
        assertArrayEquals(new double[] {0.5}, curves.series("step", "reward_mean").y());
    }

    @Test
    void aResumedRunsRepeatedStepsKeepTheLaterValueInStepOrder() {
        String text = """
                {"step":1,"loss":3.0}
                {"step":2,"loss":2.0}
                {"step":3,"loss":1.0}
                {"step":2,"loss":2.5}
                {"step":3,"loss":1.5}
                {"step":4,"loss":null}
                """;
        Series s = MetricsCurves.parse(text, "m.jsonl").series("step", "loss");
        assertArrayEquals(new double[] {1, 2, 3, 4}, s.x());
        assertArrayEquals(new double[] {3.0, 2.5, 1.5, Double.NaN}, s.y());
    }

    @Test
    void aBadLineIsAnErrorNamingFileAndLine() {
        String text = "{\"step\":1,\"loss\":1.0}\n{\"step\":2,\"loss\":}\n{\"step\":3,\"loss\":1.0}\n";
        var e = assertThrows(FileFormatException.class, () -> MetricsCurves.parse(text, "run/sft/metrics.jsonl"));
        assertTrue(e.getMessage().startsWith("run/sft/metrics.jsonl:2: invalid JSON at line 1, column 18"), e.getMessage());
        var notObject = assertThrows(FileFormatException.class, () -> MetricsCurves.parse("[1,2]\n", "m.jsonl"));
        assertEquals("m.jsonl:1: expected a JSON object per line, found an array of 2", notObject.getMessage());
    }

    @Test
    void wrongKindsOfValuesNameTheLineAndField() {
        String text = "{\"step\":1,\"loss\":1.0}\n\n{\"step\":\"two\",\"loss\":1.0}\n";
        var x = assertThrows(FileFormatException.class, () -> MetricsCurves.parse(text, "m.jsonl").series("step", "loss"));
        assertEquals("m.jsonl:3: field 'step': expected a number (the x of 'loss'), found the string \"two\"", x.getMessage());
        var y = assertThrows(FileFormatException.class,
                () -> MetricsCurves.parse(SFT, "m.jsonl").series("step", "improved"));
        assertEquals("m.jsonl:3: field 'improved': expected a number or null, found true", y.getMessage());
        var missing = assertThrows(IllegalArgumentException.class,
                () -> MetricsCurves.parse(SFT, "m.jsonl").where("type", "eval").series("step", "reward"));
        assertTrue(missing.getMessage().contains("no line with type = eval has the key 'reward'")
                && missing.getMessage().contains("validation_loss"), missing.getMessage());
    }

    @Test
    void aLastLineCutShortByACrashIsLeftOutAndReported() {
        MetricsCurves curves = MetricsCurves.parse("{\"step\":1,\"loss\":1.0}\n{\"step\":2,\"lo", "m.jsonl");
        assertTrue(curves.truncatedLastLine());
        assertEquals(1, curves.lineCount());
        assertFalse(MetricsCurves.parse(SFT, "m.jsonl").truncatedLastLine());
    }

    @Test
    void aMissingFileSaysWhich(@TempDir Path dir) {
        var e = assertThrows(UncheckedIOException.class, () -> MetricsCurves.read(dir.resolve("nope.jsonl")));
        assertTrue(e.getMessage().contains("nope.jsonl"), e.getMessage());
    }
}
