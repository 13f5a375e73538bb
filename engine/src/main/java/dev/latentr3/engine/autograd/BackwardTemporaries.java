package dev.latentr3.engine.autograd;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.Storage;
import dev.latentr3.engine.memory.TensorScope;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Frees a backward's own memory as soon as it is dead, instead of when the step's {@link TensorScope} closes: every
 * gradient and temporary that the backward allocated in the scope is released once no pending gradient (one not yet
 * handed to its node) and no leaf's {@code .grad} lives in it. Without this the backward's working set was the sum
 * over the whole graph (each activation's gradient, each weight's gradient before it was added into {@code .grad},
 * each op's scratch) on top of the forward's activations; with it, a few activation-sized gradients and one
 * weight-sized one at a time, as in PyTorch, whose tensors die with their last reference.
 *
 * <p>Only storages allocated after the backward started are candidates: the forward's tensors and the caller's output
 * gradient may still be the caller's (the loss it logs, the logits it reads), which autograd cannot know. Nodes hold
 * nothing of the backward after their rule ran ({@link Node#release}), so the pending gradients and the leaves'
 * gradients are all the references to it there are. Without an open scope the backward's tensors are owned and go
 * with the garbage collector; nothing is done here.
 */
final class BackwardTemporaries {
    private final TensorScope scope;
    private int mark;
    /** Allocated by this backward and still referred to by a pending gradient, when last looked at. */
    private final List<Storage> held = new ArrayList<>();
    /** Leaves' gradients that this backward allocated: they outlive it. */
    private final Set<Storage> kept = Collections.newSetFromMap(new IdentityHashMap<>());

    BackwardTemporaries() {
        scope = TensorScope.current();
        mark = scope == null ? 0 : scope.allocationCount();
    }

    /** A leaf just accumulated into its gradient: that gradient stays, whatever this backward allocated. */
    void keepGradientOf(Tensor leaf) {
        if (leaf.grad() != null) kept.add(leaf.grad().storage());
    }

    /** Releases what this backward allocated so far that none of the pending gradients lives in. */
    void releaseAllBut(Collection<Tensor> pending) {
        if (scope == null) return;
        held.addAll(scope.allocatedSince(mark));
        mark = scope.allocationCount();
        if (held.isEmpty()) return;
        Set<Storage> live = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor g : pending) live.add(g.storage());
        live.addAll(kept);
        held.removeIf(s -> {
            if (live.contains(s)) return false;
            s.release();
            return true;
        });
    }
}
