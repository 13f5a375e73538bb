package dev.latentr3.engine.autograd;

import dev.latentr3.engine.Tensor;

/**
 * One recorded op on the tape: its inputs and the local chain rule that turns the gradient of its output into
 * gradients of its inputs. Each op writes its rule right beside its forward.
 */
public final class Node {

    /** Gradients of the inputs (in order; null where an input needs none) from the gradient of the output. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String op;
    private Tensor[] inputs;
    private Backward backward;

    public Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() {
        return op;
    }

    public Tensor[] inputs() {
        return inputs;
    }

    Tensor[] backward(Tensor gradOutput) {
        if (backward == null) {
            throw new IllegalStateException(op + ": backward through a graph that was already freed by an earlier backward()");
        }
        return backward.apply(gradOutput);
    }

    /** Drops the saved tensors and the rule once used, so the graph's memory can go. */
    void release() {
        inputs = null;
        backward = null;
    }

    boolean released() {
        return backward == null;
    }
}
