package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.latentr3.model.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {
    /** The first row of the reference's CDs valid.csv. */
    private static final Interaction ROW = new Interaction("A3KWI8FRECW7QE", List.of("B000000BRY", "B00000252H"), "B0000025B5",
            List.of(5198, 3227), 1381, List.of("Freaks of Nature", "Kansas"), "Point of Know Return", List.of(3.0, 5.0), 5.0,
            List.of(1504656000L, 1504656000L), 1504656000L);

    @Test
    void cdsPromptVerbatimWithItsTypos() {
        PromptTemplate.Segments s = PromptTemplate.forCategory("CDs_and_Vinyl").segments(ROW);
        assertEquals("""
                Below is an instruction that describes a task, paired with an input that provides further context. \
                Write a response that appropriately completes the request.\s

                ### Instruction:
                Given a list of musics the user recetenly enjoy, please write a new musics that the user may bought
                """, s.instruction());
        assertEquals("""
                ### User Input:\s
                The user has palyed the following musicss before: "Freaks of Nature", "Kansas"

                ### Response:\s
                """, s.userInput());
        assertEquals("<|Thought|>", s.thought());
        assertEquals("\"Point of Know Return\"\n", s.target());
    }

    /** The segments as the method doc gives them (§6, JSON-escaped string literals), with {cat} and {history} filled in. */
    @Test
    void matchesTheMethodDocsLiterals() throws IOException {
        Path doc = Path.of(System.getProperty("latentr3.shared", "../shared"), "reference", "latentr3-method.md");
        Assumptions.assumeTrue(Files.isRegularFile(doc), "the method doc (shared/reference/latentr3-method.md) is absent");
        List<String> lines = Files.readAllLines(doc);
        PromptTemplate template = new PromptTemplate("toys and games");
        List<String> history = List.of("Uno", "It's \"Lego\", Classic");
        assertEquals(literal(lines, "S1").replace("{cat}", "toys and games"), template.instruction());
        assertEquals(literal(lines, "S2").replace("{cat}", "toys and games")
                .replace("{history}", "\"Uno\", \"It's \"Lego\", Classic\""), template.userInput(history));
        assertEquals(literal(lines, "S3"), PromptTemplate.THOUGHT_TOKEN);
        assertEquals(literal(lines, "S4").replace("{title}", "1989"), template.target("1989"));
        assertTrue(template.userInput(history).endsWith(PromptTemplate.RESPONSE_HEADER));
    }

    private static String literal(List<String> lines, String name) {
        String line = lines.stream().filter(l -> l.startsWith(name + " = \"")).findFirst().orElseThrow(
                () -> new AssertionError("the method doc has no line starting '" + name + " = \"'"));
        String rest = line.substring(name.length() + 3);
        int end = 1;
        while (rest.charAt(end) != '"') end += rest.charAt(end) == '\\' ? 2 : 1;
        return (String) Json.parse(rest.substring(0, end + 1), "latentr3-method.md " + name);
    }

    @Test
    void categoryPhrases() {
        assertEquals("musics", PromptTemplate.forCategory("CDs_and_Vinyl").categoryPhrase());
        assertEquals("toys and games", PromptTemplate.forCategory("Toys_and_Games").categoryPhrase());
        assertEquals("music instruments", PromptTemplate.forCategory("Musical_Instruments").categoryPhrase());
        assertEquals(10, PromptTemplate.CATEGORY_PHRASES.size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.forCategory("Beauty"));
        assertTrue(e.getMessage().startsWith("prompt template: no phrase for category 'Beauty'; expected one of [Toys_and_Games, "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PromptTemplate("musics").userInput(List.of()));
    }
}
