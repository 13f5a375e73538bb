package dev.latentr3.engine.autograd;

import dev.latentr3.engine.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/**
 * Reverse-mode differentiation over the tape: order the nodes reachable from the output topologically, walk them in
 * reverse, and hand each its output's summed gradient. Leaves that require grad accumulate into {@code .grad()}
 * (so gradients add up across calls until zeroed). The graph is freed as it is walked, and so is the backward's own
 * memory once dead ({@link BackwardTemporaries}).
 */
public final class Autograd {
    private Autograd() {}

    public static void backward(Tensor output, Tensor gradOutput) {
        if (!output.requiresGrad()) {
            throw new IllegalStateException("backward: the output " + output.describe() + " does not require grad (no input requires it, or it was computed under noGrad)");
        }
        if (!java.util.Arrays.equals(gradOutput.shape(), output.shape())) {
            throw new IllegalArgumentException("backward: the output gradient " + gradOutput.describe()
                    + " does not match the output " + output.describe());
        }
        List<Tensor> order = topologicalOrder(output);
        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        pending.put(output, gradOutput);
        BackwardTemporaries temporaries = new BackwardTemporaries();
        try (var off = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = pending.remove(t);
                if (g == null) continue;
                Node node = t.gradFn();
                if (node == null) {
                    t.accumulateGrad(g);
                    temporaries.keepGradientOf(t);
                    temporaries.releaseAllBut(pending.values());
                    continue;
                }
                Tensor[] inputs = node.inputs();
                Tensor[] grads = node.backward(g);
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    if (in == null || !in.requiresGrad()) continue;
                    Tensor gk = grads[k];
                    if (gk != null && !java.util.Arrays.equals(gk.shape(), in.shape())) {
                        throw new IllegalStateException(node.op() + ": backward produced a gradient of shape "
                                + java.util.Arrays.toString(gk.shape()) + " for input " + k + " of shape "
                                + java.util.Arrays.toString(in.shape()));
                    }
                    if (in.gradFn() == null) {
                        // A leaf adds each gradient into .grad as it comes (a rule may also have added it there itself
                        // and returned null). Held pending until its last use's backward, the first gradient of a
                        // weight used twice (Qwen's tied embedding and LM head) would live through the whole backward,
                        // and the sum would need a third weight-sized block: 1.5 GiB at the end of a Qwen2.5-0.5B
                        // step. Its .grad outlives the backward, also when allocated during it.
                        if (gk != null) in.accumulateGrad(gk);
                        temporaries.keepGradientOf(in);
                    } else if (gk != null) {
                        Tensor prev = pending.get(in);
                        pending.put(in, prev == null ? gk : prev.add(gk));
                    }
                }
                // The released node stays as the tensor's gradFn: a second backward through it then fails
                // clearly instead of treating the tensor as a leaf and silently accumulating a gradient into it.
                node.release();
                temporaries.releaseAllBut(pending.values());
            }
        }
    }

    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative DFS: deep graphs (many layers x many ops) would overflow the stack recursively.
        ArrayList<Object[]> stack = new ArrayList<>();
        stack.add(new Object[]{root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.getLast();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Node n = t.gradFn();
            Tensor[] ins = n == null ? null : n.inputs();
            if (n != null && n.released()) {
                throw new IllegalStateException(n.op() + ": backward through a graph that was already freed by an earlier backward()");
            }
            if (ins != null && next < ins.length) {
                top[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.requiresGrad() && seen.add(in)) stack.add(new Object[]{in, 0});
            } else {
                stack.removeLast();
                order.add(t);
            }
        }
        return order;
    }
}
