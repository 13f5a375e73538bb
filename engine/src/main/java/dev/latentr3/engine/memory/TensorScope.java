package dev.latentr3.engine.memory;

import java.lang.foreign.Arena;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A region of tensor lifetimes, typically one training step: every tensor allocated on this thread while the scope is
 * the innermost open one is freed when it closes. Tensors that must outlive it (parameters, gradients of
 * parameters, optimizer state) are allocated outside any scope or with {@link Storage#owned}. Device memory of the
 * scope goes back to its allocator's cache at the same moment. A scoped tensor known to be dead can be freed earlier
 * with {@link Storage#release()} (autograd does so with the gradients and temporaries of a backward, as it goes).
 *
 * <pre>{@code
 * try (var step = TensorScope.open()) {
 *     Tensor loss = model.loss(batch);
 *     loss.backward();
 *     optimizer.step();
 * } // activations and temporaries freed here
 * }</pre>
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<TensorScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final Arena arena = Arena.ofShared();
    private final List<Runnable> deviceFrees = new ArrayList<>();
    private final List<Storage> storages = new ArrayList<>(); // in allocation order; some may be released already
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private TensorScope() {}

    public static TensorScope open() {
        TensorScope s = new TensorScope();
        OPEN.get().push(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    public static TensorScope current() {
        return OPEN.get().peek();
    }

    Arena arena() {
        return arena;
    }

    /** Runs {@code free} when this scope closes (device blocks, which no arena owns). */
    void onClose(Runnable free) {
        deviceFrees.add(free);
    }

    /** Records a storage allocated in this scope, for {@link #allocatedSince}. */
    void track(Storage storage) {
        storages.add(storage);
    }

    /**
     * How many storages this scope has allocated so far: a mark from which {@link #allocatedSince} lists what a
     * stretch of work allocated (autograd frees its backward's temporaries early that way).
     */
    public int allocationCount() {
        return storages.size();
    }

    /** The storages allocated in this scope since {@link #allocationCount()} returned {@code mark}, oldest first. */
    public List<Storage> allocatedSince(int mark) {
        if (mark < 0 || mark > storages.size()) {
            throw new IllegalArgumentException("allocatedSince: mark " + mark + " is not between 0 and " + storages.size());
        }
        return List.copyOf(storages.subList(mark, storages.size()));
    }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a TensorScope must be closed by the thread that opened it (" + owner.getName() + ")");
        }
        ArrayDeque<TensorScope> open = OPEN.get();
        if (open.peek() != this) {
            throw new IllegalStateException("TensorScopes must close innermost first");
        }
        open.pop();
        closed = true;
        arena.close();
        for (Runnable free : deviceFrees) free.run();
        deviceFrees.clear();
        storages.clear();
    }
}
