package dev.latentr3.train.rl;

import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.PromptTemplate;

import java.util.Arrays;
import java.util.function.Function;

/**
 * One RL training example as token ids: the prompt before the thought token and the target (the labelled tokens,
 * title line then EOS). As in the reference, the "completion" of LR-GRPO is the ground-truth target, so nothing is
 * generated (method doc §3.2).
 */
public record RlExample(int[] prompt, int[] target) {
    public RlExample {
        if (prompt.length == 0 || target.length == 0) {
            throw new IllegalArgumentException("RlExample: expected a non-empty prompt and target, got " + prompt.length
                    + " and " + target.length + " tokens");
        }
        prompt = prompt.clone();
        target = target.clone();
    }

    /**
     * The example of a data row, its segments tokenized separately as in the reference (instruction, user input,
     * thought, target + EOS), with {@code encode} the tokenizer's text-to-ids function.
     */
    public static RlExample of(PromptTemplate template, Interaction row, Function<String, int[]> encode, int eosId) {
        PromptTemplate.Segments s = template.segments(row);
        int[] instruction = encode.apply(s.instruction()), input = encode.apply(s.userInput());
        int[] title = encode.apply(s.target());
        int[] prompt = Arrays.copyOf(instruction, instruction.length + input.length);
        System.arraycopy(input, 0, prompt, instruction.length, input.length);
        int[] target = Arrays.copyOf(title, title.length + 1);
        target[title.length] = eosId;
        return new RlExample(prompt, target);
    }

    /** prompt, the thought token, target: the sequence the LLM reads. */
    public int[] sequence(int thoughtId) {
        return sequence(thoughtId, 1);
    }

    /** prompt, n thought tokens (n latents), target. */
    public int[] sequence(int thoughtId, int n) {
        if (n < 1) throw new IllegalArgumentException("RlExample: expected at least one thought token, got " + n);
        int[] ids = new int[prompt.length + n + target.length];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        Arrays.fill(ids, prompt.length, prompt.length + n, thoughtId);
        System.arraycopy(target, 0, ids, prompt.length + n, target.length);
        return ids;
    }

    /** Where the (first) thought token is in {@link #sequence}. */
    public int thoughtPosition() {
        return prompt.length;
    }
}
