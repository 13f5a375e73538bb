package dev.latentr3.engine;

import java.util.ArrayDeque;

/**
 * The device on which tensors are created when no device is named ({@code Tensor.empty(shape)}, {@code Tensor.of},
 * parameters of modules built meanwhile), per thread, like PyTorch's {@code with torch.device(...)}. The CPU unless a
 * {@link #use} is open. Ops never consult it: their outputs live where their inputs do.
 *
 * <pre>{@code
 * try (var on = DefaultDevice.use(new Device("cuda", 0))) {
 *     model = new Qwen2ForCausalLM(config);   // parameters on the device
 *     ...
 * }
 * }</pre>
 */
public final class DefaultDevice implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<Device>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private DefaultDevice() {}

    /** Makes {@code device} the default on this thread until the returned handle closes (nesting allowed). */
    public static DefaultDevice use(Device device) {
        if (!device.isCpu()) Backends.runtime(device); // fail here, naming the reason, rather than at the first tensor
        STACK.get().push(device);
        return new DefaultDevice();
    }

    public static Device current() {
        Device d = STACK.get().peek();
        return d == null ? Device.CPU : d;
    }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != owner) throw new IllegalStateException("DefaultDevice.use must be closed by the thread that opened it");
        closed = true;
        STACK.get().pop();
    }
}
