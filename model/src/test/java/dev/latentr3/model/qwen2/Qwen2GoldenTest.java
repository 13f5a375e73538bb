package dev.latentr3.model.qwen2;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.model.checkpoint.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our Qwen2 against an independent float64 PyTorch implementation of the public architecture
 * (model/src/test/goldens/make_qwen2_goldens.py): logits, last hidden states, the cross-entropy loss on the golden's
 * targets, and the gradient of that loss for every weight.
 *
 * <p>Tolerance rule, per compared tensor: max |ours - golden| <= 1e-4 * max |golden| (relative to the tensor's
 * largest magnitude, since element-wise relative error is meaningless for entries near 0). Ours is computed in F32;
 * measured, the worst tensor (a k_proj bias gradient, small because RoPE leaves k's bias nearly cancelling in the
 * softmax) is at 4.3e-6, logits at 4e-7, so 1e-4 leaves a margin of 20, while a wrong mask, position, bias or
 * transposition changes values by far more.
 */
class Qwen2GoldenTest {
    static final double TOLERANCE = 1e-4;

    static Path golden(String name) {
        return Path.of("src/test/resources/goldens/qwen2", name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tied-gqa", "untied-mha"})
    void logitsLossAndEveryGradientMatchTheReference(String name) throws Exception {
        Qwen2ForCausalLM model = Qwen2ForCausalLM.load(golden(name)).requiresGrad(true);
        try (SafetensorsFile expected = SafetensorsFile.open(golden(name).resolve("expected.safetensors"));
             TensorScope scope = TensorScope.open()) {
            Tensor ids = expected.tensor("input_ids"), mask = expected.tensor("attention_mask");
            int b = ids.size(0), l = ids.size(1);
            assertArrayEquals(expected.tensor("positions").toIntArray(), Qwen2ForCausalLM.defaultPositions(mask).toIntArray());

            Qwen2Output full = model.forward(ids, mask, LogitPositions.all(b, l));
            assertClose(name + " logits", expected.tensor("logits").toFloatArray(), full.logits().toFloatArray());
            assertClose(name + " last hidden", expected.tensor("last_hidden").toFloatArray(), full.lastHidden().toFloatArray());

            // Training's path: logits only at the target positions.
            LogitPositions targets = LogitPositions.of(expected.tensor("target_batch").toIntArray(),
                    expected.tensor("target_position").toIntArray());
            Tensor logits = model.forward(ids, mask, targets).logits();
            Tensor loss = Losses.crossEntropy(logits, expected.tensor("target_token"), -100);
            assertClose(name + " loss", expected.tensor("loss").toFloatArray(), new float[]{loss.item()});
            loss.backward();

            Map<String, Tensor> params = model.namedParameters();
            long gradients = expected.names().stream().filter(n -> n.startsWith("grad.")).count();
            assertEquals(params.size(), gradients, "one golden gradient per parameter");
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                Tensor g = p.getValue().grad();
                assertTrue(g != null, p.getKey() + " got no gradient");
                assertClose(name + " grad " + p.getKey(), expected.tensor("grad." + p.getKey()).toFloatArray(), g.toFloatArray());
            }
        } finally {
            model.parameters().forEach(Tensor::zeroGrad);
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        NumericAssertions.assertClose(what, expected, actual, TOLERANCE);
    }
}
