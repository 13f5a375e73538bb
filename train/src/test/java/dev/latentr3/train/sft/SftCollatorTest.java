package dev.latentr3.train.sft;

import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SftCollatorTest {
    private final TinySft tiny = new TinySft(8);

    @Test
    void byteTokenizerSpellsTextAsItsUtf8Bytes() {
        int[] ids = tiny.tokenizer.encode("Vol. 3 \"é\"\n");
        byte[] bytes = "Vol. 3 \"é\"\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] expected = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) expected[i] = bytes[i] & 0xFF;
        assertArrayEquals(expected, ids);
    }

    @Test
    void targetIsQuotedTitleNewlineThenEos() {
        int[] ids = new SequenceTokens(tiny.tokenizer, TinySft.TEMPLATE, false).target("Ab");
        assertArrayEquals(new int[]{'"', 'A', 'b', '"', '\n', 256}, ids);
    }

    @Test
    void latentRowsEndThePromptWithTheThoughtAndLabelOnlyTheTarget() {
        SftCollator collator = tiny.latentCollator(10_000);
        List<Interaction> rows = tiny.train.subList(0, 3);
        SftBatch batch = collator.collate(rows);
        int[] positions = batch.logitPositions().position(), rowOf = batch.logitPositions().batch();
        int k = 0;
        for (int r = 0; r < rows.size(); r++) {
            String text = TinySft.TEMPLATE.prompt(rows.get(r).historyTitles());
            int[] target = new SequenceTokens(tiny.tokenizer, TinySft.TEMPLATE, false).target(rows.get(r).targetTitle());
            int realLength = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 + target.length;
            int pad = batch.length() - realLength;
            int[] row = Arrays.copyOfRange(batch.ids(), r * batch.length(), (r + 1) * batch.length());
            int[] mask = Arrays.copyOfRange(batch.mask(), r * batch.length(), (r + 1) * batch.length());
            for (int j = 0; j < batch.length(); j++) assertEquals(j >= pad ? 1 : 0, mask[j], "mask row " + r + " col " + j);
            int thoughtAt = batch.length() - target.length - 1;
            assertEquals(257, row[thoughtAt], "the thought token sits right before the target");
            assertEquals('\n', row[thoughtAt - 1], "and right after the response header");
            for (int j = 0; j < target.length; j++, k++) {
                assertEquals(r, rowOf[k]);
                assertEquals(thoughtAt + j, positions[k], "the logits before each target token predict it");
                assertEquals(target[j], batch.labels()[k]);
                assertEquals(target[j], row[thoughtAt + 1 + j]);
            }
        }
        assertEquals(k, batch.targetTokens());
    }

    @Test
    void baselineHasNoThoughtAndCutoffKeepsTheLastTokens() {
        Interaction row = tiny.train.get(0);
        SftCollator full = new SftCollator(new SequenceTokens(tiny.tokenizer, TinySft.TEMPLATE, false), 10_000);
        SftCollator cut = new SftCollator(new SequenceTokens(tiny.tokenizer, TinySft.TEMPLATE, false), 40);
        SftBatch whole = full.collate(List.of(row)), kept = cut.collate(List.of(row));
        assertEquals(40, kept.length());
        assertArrayEquals(Arrays.copyOfRange(whole.ids(), whole.length() - 40, whole.length()), kept.ids());
        assertArrayEquals(whole.labels(), kept.labels());
        for (int id : whole.ids()) assertEquals(true, id != 257 && id >= 0 && id <= 256);
        int targetLength = whole.labels().length;
        assertEquals(40 - targetLength - 1, kept.logitPositions().position()[0]);
        assertEquals(PromptTemplate.RESPONSE_HEADER.charAt(PromptTemplate.RESPONSE_HEADER.length() - 1),
                (char) kept.ids()[40 - targetLength - 1]);
    }
}
