package dev.latentr3.engine;

import dev.latentr3.engine.ops.Attention;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Rope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong shapes and dtypes fail before any kernel runs, with a message naming the op and the shapes involved. */
class BadInputTest {

    private static void assertRejected(Executable call, String op, String... shapes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String m = e.getMessage();
        assertTrue(m.startsWith(op + ":"), "the message should start with the op '" + op + "': " + m);
        for (String s : shapes) assertTrue(m.contains(s), "the message should mention " + s + ": " + m);
    }

    @Test
    void matmulInnerDimensionsDiffer() {
        assertRejected(() -> Tensor.zeros(3, 5).matmul(Tensor.zeros(7, 3)), "matmul", "[3, 5]", "[7, 3]");
    }

    @Test
    void addOfShapesThatDoNotBroadcast() {
        assertRejected(() -> Tensor.zeros(3, 5).add(Tensor.zeros(3, 7)), "add", "[3, 5]", "[3, 7]");
    }

    @Test
    void linearFeatureMismatch() {
        assertRejected(() -> MatMul.linear(Tensor.zeros(3, 5), Tensor.zeros(7, 6), null), "linear", "[3, 5]", "[7, 6]");
    }

    @Test
    void attentionQueryHeadsNotAMultipleOfKeyHeads() {
        Tensor q = Tensor.zeros(1, 3, 3, 5), kv = Tensor.zeros(1, 3, 2, 5);
        assertRejected(() -> Attention.sdpa(q, kv, kv, true, null, Float.NaN), "sdpa", "[1, 3, 3, 5]", "[1, 3, 2, 5]");
    }

    @Test
    void attentionKeyMaskOfTheWrongShape() {
        Tensor q = Tensor.zeros(1, 3, 2, 5), kv = Tensor.zeros(1, 3, 2, 5);
        Tensor mask = Tensor.ofInts(new int[]{1, 1}, 1, 2);
        assertRejected(() -> Attention.sdpa(q, kv, kv, true, mask, Float.NaN), "sdpa", "[1, 2]", "[1, 3, 2, 5]");
    }

    @Test
    void ropeWithAnOddRotaryDim() {
        Tensor x = Tensor.zeros(1, 3, 2, 6);
        assertRejected(() -> Rope.apply(x, Tensor.ofInts(new int[]{0, 1, 2}, 3), 5, 10000.0), "rope", "5", "[1, 3, 2, 6]");
    }

    @Test
    void int32IntoMatmul() {
        Tensor ints = Tensor.ofInts(new int[]{1, 2, 3, 4, 5, 6}, 2, 3);
        assertRejected(() -> ints.matmul(Tensor.zeros(3, 2)), "matmul", "I32[2, 3]");
    }

    @Test
    void floatIdsIntoEmbedding() {
        assertRejected(() -> Indexing.embedding(Tensor.zeros(7, 3), Tensor.zeros(2, 5)), "embedding", "F32[2, 5]");
    }

    @Test
    void embeddingIdOutOfRange() {
        assertRejected(() -> Indexing.embedding(Tensor.zeros(7, 3), Tensor.ofInts(new int[]{0, 7}, 2)), "embedding",
                "7", "[7, 3]");
    }
}
