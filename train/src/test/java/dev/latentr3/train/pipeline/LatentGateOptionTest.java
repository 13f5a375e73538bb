package dev.latentr3.train.pipeline;

import dev.latentr3.model.latent.LatentRATT;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.train.config.ConfigTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model.latent_gate (an ablation, off by default): read from the config, applied by ModelInit, kept by ModelFolder. */
class LatentGateOptionTest {
    private static final String TOKENIZER = ByteLevelTokenizerJson.json(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS);
    private static final ModelShape SHAPE = new ModelShape(16, 32, 1, 2, 1, 512, 0.02);

    @Test
    void offByDefaultAndAGatedModelRoundTrips(@TempDir Path dir) throws Exception {
        assertEquals(0.0, SHAPE.latentGate());
        assertFalse(ModelInit.latent(TOKENIZER, "bytes", SHAPE, 1).attention().gated(), "the method: no gate");

        Files.writeString(dir.resolve("c.yaml"), "model:\n  hidden: 16\n  latent_gate: 0.05\n");
        ModelShape gated = PipelineConfig.shape(ConfigTree.load(dir.resolve("c.yaml"), List.of()).section("model"), SHAPE);
        assertEquals(0.05, gated.latentGate());
        RecModel model = ModelInit.latent(TOKENIZER, "bytes", gated, 1);
        assertTrue(model.attention().gated());
        assertArrayEquals(new float[]{0.05f}, model.attention().namedParameters().get(LatentRATT.GATE).toFloatArray());

        ModelFolder.write(dir.resolve("m"), model);
        RecModel read = ModelFolder.read(dir.resolve("m"));
        assertArrayEquals(new float[]{0.05f}, read.attention().namedParameters().get(LatentRATT.GATE).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> new ModelShape(16, 32, 1, 2, 1, 512, 0.02, -1));
    }
}
