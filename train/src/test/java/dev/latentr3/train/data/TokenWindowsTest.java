package dev.latentr3.train.data;

import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenWindowsTest {

    @Test
    void targetsAreTheInputsShiftedByOne() {
        int[] tokens = new int[50];
        for (int i = 0; i < tokens.length; i++) tokens[i] = 100 + i; // value tells the position
        TokenWindows.Batch batch = new TokenWindows(tokens, 8, Rng.seeded(1)).next(5);
        assertArrayEquals(new int[]{5, 8}, batch.inputs().shape());
        int[] in = batch.inputs().toIntArray(), out = batch.targets().toIntArray();
        for (int r = 0; r < 5; r++) {
            int start = in[r * 8] - 100;
            for (int t = 0; t < 8; t++) {
                assertEquals(tokens[start + t], in[r * 8 + t]);
                assertEquals(tokens[start + t + 1], out[r * 8 + t]);
            }
        }
    }

    @Test
    void sameSeedSameBatches() {
        int[] tokens = ByteLevelTokenizerJson.tokenizer(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS).encode(TinyCorpus.text());
        assertArrayEquals(new TokenWindows(tokens, 16, Rng.seeded(3)).next(4).inputs().toIntArray(),
                new TokenWindows(tokens, 16, Rng.seeded(3)).next(4).inputs().toIntArray());
        assertThrows(IllegalArgumentException.class, () -> new TokenWindows(new int[8], 8, Rng.seeded(1)));
    }
}
