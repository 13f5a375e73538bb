package dev.latentr3.engine;

import dev.latentr3.engine.autograd.Autograd;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.autograd.Node;
import dev.latentr3.engine.memory.Storage;
import dev.latentr3.engine.memory.Transfers;
import dev.latentr3.engine.ops.Elementwise;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Reductions;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.kernels.Backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * An n-dimensional view over a {@link Storage}: shape, strides and offset in elements. Views (reshape, transpose,
 * slice, expand) share memory; nothing is copied unless an op needs contiguous input and says so by calling
 * {@link #contiguous()}.
 *
 * <p>Devices: a tensor lives on one {@link Device}; ops put their outputs where their inputs are, creation functions
 * without a device use the thread's {@link DefaultDevice} (the CPU unless one is in use), and {@link #to(Device)} copies.
 * Java reads only host memory: {@link #toFloatArray()}, {@link #toIntArray()} and {@link #item()} copy a device
 * tensor to the host first (and so wait for the device); {@link #hostData(String)} is the accessor for host loops, and
 * refuses device tensors with a message.
 *
 * <p>Autograd: a tensor computed from inputs that require grad records a {@link Node} (its op and local chain rule);
 * {@link #backward()} walks the tape. The generic math lives here as methods for readability
 * ({@code x.matmul(w).add(b)}); the ops themselves, each with its backward, are in {@code dev.latentr3.engine.ops}.
 */
public final class Tensor implements AutoCloseable {
    private final Storage storage;
    private final DType dtype;
    private final int[] shape;
    private final long[] strides;
    private final long offset;

    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private String name;

    public Tensor(Storage storage, DType dtype, int[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    /** Uninitialised contiguous tensor on the default device (scoped if a {@code TensorScope} is open). */
    public static Tensor empty(DType dtype, int... shape) {
        return empty(DefaultDevice.current(), dtype, shape);
    }

    /** Uninitialised contiguous tensor on {@code device} (scoped if a {@code TensorScope} is open). */
    public static Tensor empty(Device device, DType dtype, int... shape) {
        int[] s = checkShape(shape);
        return new Tensor(Storage.allocate(device, Shapes.numel(s) * dtype.byteSize()), dtype, s, Shapes.contiguousStrides(s), 0);
    }

    /** Uninitialised F32 tensor on {@code device}. */
    public static Tensor empty(Device device, int... shape) {
        return empty(device, DType.F32, shape);
    }

    public static Tensor zeros(Device device, int... shape) {
        return full(device, 0f, shape);
    }

    public static Tensor full(Device device, float value, int... shape) {
        Tensor t = empty(device, DType.F32, shape);
        t.backend().elementwise().fill(t.numel(), value, t.data());
        return t;
    }

    public static Tensor empty(int... shape) {
        return empty(DType.F32, shape);
    }

    public static Tensor zeros(int... shape) {
        return full(0f, shape);
    }

    public static Tensor full(float value, int... shape) {
        return full(DefaultDevice.current(), value, shape);
    }

    public static Tensor scalar(float value) {
        return full(value);
    }

    /** A copy of {@code data} with the given shape, on the default device. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.length == 0 && data.length != 1 ? new int[]{data.length} : shape;
        if (Shapes.numel(checkShape(s)) != data.length) {
            throw new IllegalArgumentException("Tensor.of: " + data.length + " values do not fill shape " + Arrays.toString(s));
        }
        Tensor t = empty(DType.F32, s);
        fillFrom(t, MemorySegment.ofArray(data));
        return t;
    }

    /** A copy of int32 {@code data} (indices, token ids) with the given shape, on the default device. */
    public static Tensor ofInts(int[] data, int... shape) {
        int[] s = shape.length == 0 ? new int[]{data.length} : shape;
        if (Shapes.numel(checkShape(s)) != data.length) {
            throw new IllegalArgumentException("Tensor.ofInts: " + data.length + " values do not fill shape " + Arrays.toString(s));
        }
        Tensor t = empty(DType.I32, s);
        fillFrom(t, MemorySegment.ofArray(data));
        return t;
    }

    /** Copies host values (a heap array's segment, the tensor's byte size) into the fresh contiguous tensor t. */
    private static void fillFrom(Tensor t, MemorySegment values) {
        if (t.device().isCpu()) {
            MemorySegment.copy(values, 0, t.data(), 0, values.byteSize());
            return;
        }
        try (Arena staging = Arena.ofConfined()) { // drivers copy from native memory only
            MemorySegment host = staging.allocate(Math.max(1, values.byteSize()), 64).asSlice(0, values.byteSize());
            host.copyFrom(values);
            Transfers.copy(host, Device.CPU, t.data(), t.device(), values.byteSize());
        }
    }

    /**
     * Wraps the caller's memory as a contiguous tensor, without copying: an mmapped weight file, an off-heap buffer.
     * The caller's arena keeps owning it; using the tensor after that arena closed raises an error. The segment must be
     * usable from any thread (a shared, automatic or global arena), since kernels run on a thread pool.
     */
    /** An unstarted thread: a segment accessible by it is accessible by the kernels' worker threads too. */
    private static final Thread KERNEL_THREAD_PROBE = Thread.ofPlatform().unstarted(() -> {});

    public static Tensor wrap(MemorySegment segment, DType dtype, int... shape) {
        int[] s = checkShape(shape);
        long bytes = Shapes.numel(s) * dtype.byteSize();
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException("Tensor.wrap: shape " + Arrays.toString(s) + " of " + dtype + " needs "
                    + bytes + " bytes, the segment has " + segment.byteSize());
        }
        if (!segment.isNative()) {
            throw new IllegalArgumentException("Tensor.wrap: the segment must be native (off-heap or mapped) memory, not a heap array");
        }
        if (!segment.isAccessibleBy(KERNEL_THREAD_PROBE)) {
            // Kernels split work across a thread pool; a confined segment would fail there, later and less clearly.
            throw new IllegalArgumentException("Tensor.wrap: the segment belongs to a confined arena, but kernels read it"
                    + " from several threads; allocate it from Arena.ofShared(), Arena.ofAuto() or Arena.global()");
        }
        return new Tensor(Storage.borrow(segment, Device.CPU), dtype, s, Shapes.contiguousStrides(s), 0);
    }

    private static int[] checkShape(int[] shape) {
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        return shape.clone();
    }

    // ---------------------------------------------------------------- properties

    public int[] shape() {
        return shape.clone();
    }

    public int dim() {
        return shape.length;
    }

    /** Size of dimension d; negative d counts from the end. */
    public int size(int d) {
        return shape[Shapes.axis(d, shape.length)];
    }

    public long[] strides() {
        return strides.clone();
    }

    public long offset() {
        return offset;
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return storage.device();
    }

    public Storage storage() {
        return storage;
    }

    public Backend backend() {
        return Backends.of(storage.device());
    }

    public boolean isContiguous() {
        return Arrays.equals(strides, Shapes.contiguousStrides(shape)) || numel() <= 1;
    }

    public String name() {
        return name;
    }

    /** Names the tensor in error messages (a parameter's path, say). */
    public Tensor named(String name) {
        this.name = name;
        return this;
    }

    /** Shape, dtype and name, for messages. */
    public String describe() {
        return (name == null ? "" : name + " ") + dtype + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor(" + describe() + (requiresGrad ? ", requiresGrad" : "") + (gradFn != null ? ", " + gradFn.op() : "") + ")";
    }

    // ---------------------------------------------------------------- raw data

    /**
     * The memory from this view's first element on, for handing to kernels. Fails with a message naming the tensor
     * when its memory has been freed (its arena closed).
     */
    public MemorySegment data() {
        checkAlive("data");
        long startByte = offset * dtype.byteSize();
        return startByte == 0 ? storage.segment() : storage.segment().asSlice(startByte);
    }

    /**
     * {@link #data()} for host code that reads or writes elements from Java (loops over a segment): fails with a
     * message naming {@code op} and the tensor when it lives on a device, whose memory Java cannot touch.
     */
    public MemorySegment hostData(String op) {
        if (!device().isCpu()) {
            throw new IllegalStateException(op + ": tensor " + describe() + " is in " + device() + " memory, which host"
                    + " code cannot read or write; copy it with to(Device.CPU) first (toFloatArray, toIntArray and item copy"
                    + " for you)");
        }
        return data();
    }

    /** Throws if this tensor's memory is gone; ops call it on every input, naming themselves. */
    public void checkAlive(String op) {
        if (!storage.isAlive()) {
            throw new IllegalStateException(op + ": tensor " + describe() + " was used after its memory was freed"
                    + " (its TensorScope or arena closed, close() was called, or it was released early: a gradient"
                    + " or temporary of a backward that already ran)");
        }
    }

    /** A contiguous tensor with the same values: this one if already contiguous, else a copy (recorded for autograd). */
    public Tensor contiguous() {
        return isContiguous() ? this : Views.contiguous(this);
    }

    /** The single value (copied to the host, which waits for the device). */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item: tensor " + describe() + " has " + numel() + " elements, expected 1");
        return toFloatArray()[0];
    }

    /** A copy of the values in row-major order, as floats (bf16 and ints converted); a device tensor is copied over. */
    public float[] toFloatArray() {
        checkAlive("toFloatArray");
        Tensor c = contiguous();
        int n = Math.toIntExact(c.numel());
        float[] out = new float[n];
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment d = c.onHost(staging);
            switch (dtype) {
            case F32 -> MemorySegment.copy(d, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, n);
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(d.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) << 16); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = d.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = d.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i); }
            }
        }
        return out;
    }

    /** A copy of integer values in row-major order; a device tensor is copied over. */
    public int[] toIntArray() {
        checkAlive("toIntArray");
        if (dtype != DType.I32 && dtype != DType.I64) {
            throw new IllegalStateException("toIntArray: tensor " + describe() + " is not an integer tensor");
        }
        Tensor c = contiguous();
        int n = Math.toIntExact(c.numel());
        int[] out = new int[n];
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment d = c.onHost(staging);
            if (dtype == DType.I32) {
                MemorySegment.copy(d, ValueLayout.JAVA_INT_UNALIGNED, 0, out, 0, n);
            } else {
                for (int i = 0; i < n; i++) out[i] = Math.toIntExact(d.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i));
            }
        }
        return out;
    }

    /** This contiguous tensor's bytes in host memory: its own on the CPU, else a copy in {@code staging}. */
    private MemorySegment onHost(Arena staging) {
        long bytes = numel() * dtype.byteSize();
        if (device().isCpu()) return data();
        MemorySegment host = staging.allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
        Transfers.copy(data(), device(), host, Device.CPU, bytes);
        return host;
    }

    /**
     * This tensor on {@code target}: itself when already there, else a contiguous copy (scoped if a scope is open).
     * Recorded: the gradient is copied back to this tensor's device.
     */
    public Tensor to(Device target) {
        if (target.equals(device())) return this;
        checkAlive("to(" + target + ")");
        Tensor c = contiguous();
        long bytes = c.numel() * dtype.byteSize();
        Tensor out = new Tensor(Storage.allocate(target, bytes), dtype, shape.clone(), Shapes.contiguousStrides(shape), 0);
        Transfers.copy(c.data(), c.device(), out.data(), target, bytes);
        Device from = device();
        return record("to(" + target + ")", out, g -> new Tensor[]{g.to(from)}, c).named(name);
    }

    /** Frees this tensor's memory now if it owns it (not scoped, not borrowed). Views of it become unusable. */
    @Override
    public void close() {
        storage.close();
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as a variable whose gradient backward() accumulates. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on " + describe() + ", which was computed by " + gradFn.op() + "; use detach()");
        }
        if (value && !dtype.isFloating()) {
            throw new IllegalArgumentException("requiresGrad: " + describe() + " is not a floating-point tensor");
        }
        this.requiresGrad = value;
        return this;
    }

    public Tensor grad() {
        return grad;
    }

    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The same memory, cut off from the tape. */
    public Tensor detach() {
        return new Tensor(storage, dtype, shape, strides, offset).named(name);
    }

    /** Back-propagates from this scalar (its gradient is 1). */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: " + describe() + " is not a scalar; pass the output gradient with backward(grad)");
        }
        backward(Tensor.full(device(), 1f, shape));
    }

    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput);
    }

    /**
     * The gradient this leaf accumulates into, allocated (zeros, with the leaf's lifetime) on first use: for backward
     * rules that add a weight's gradient straight into it (a GEMM with beta 1, a scatter-add) instead of returning a
     * weight-sized temporary for autograd to add. Only for a leaf that requires grad.
     */
    public Tensor gradForAccumulation() {
        if (!requiresGrad || gradFn != null) {
            throw new IllegalStateException("gradForAccumulation: " + describe() + " is not a leaf that requires grad");
        }
        return ensureGrad();
    }

    private Tensor ensureGrad() {
        if (grad == null) {
            grad = new Tensor(Storage.allocateLike(storage, numel() * 4L), DType.F32, shape.clone(),
                    Shapes.contiguousStrides(shape), 0);
            grad.backend().elementwise().fill(grad.numel(), 0f, grad.data());
        }
        return grad;
    }

    /**
     * Whether a backward rule may add this tensor's gradient straight into {@link #gradForAccumulation()}: a
     * contiguous F32 leaf that requires grad (a parameter, typically).
     */
    public boolean acceptsGradInPlace() {
        return requiresGrad && gradFn == null && dtype == DType.F32 && isContiguous();
    }

    /** Adds g to this leaf's gradient, allocating it (with the leaf's lifetime) on first use. */
    public void accumulateGrad(Tensor g) {
        if (!requiresGrad) return;
        ensureGrad();
        if (!g.device().equals(device())) {
            throw new IllegalStateException("accumulateGrad: gradient " + g.describe() + " is on " + g.device()
                    + " but " + describe() + " is on " + device());
        }
        Tensor gc = g.contiguous();
        backend().elementwise().axpy(numel(), 1f, gc.data(), grad.data());
    }

    /** Frees the gradient (the next backward starts from zero). */
    public void zeroGrad() {
        if (grad != null) {
            grad.close();
            grad = null;
        }
    }

    /** Zeroes the gradient in place, keeping its memory (for optimizers that hold on to it). */
    public void zeroGradInPlace() {
        if (grad != null) grad.backend().elementwise().fill(grad.numel(), 0f, grad.data());
    }

    /**
     * Records {@code op} on the tape when grad mode is on and any input requires grad: the one way ops attach their
     * backward to their output. Returns {@code out}.
     */
    public static Tensor record(String op, Tensor out, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return out;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                out.requiresGrad = true;
                out.gradFn = new Node(op, inputs, backward);
                return out;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- views (no copies)

    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    public Tensor transpose(int d0, int d1) {
        return Views.transpose(this, d0, d1);
    }

    public Tensor permute(int... order) {
        return Views.permute(this, order);
    }

    /** Elements start (inclusive) to end (exclusive) of dimension d. */
    public Tensor slice(int d, int start, int end) {
        return Views.slice(this, d, start, end);
    }

    public Tensor narrow(int d, int start, int length) {
        return Views.slice(this, d, start, start + length);
    }

    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    public Tensor unsqueeze(int d) {
        return Views.unsqueeze(this, d);
    }

    public Tensor squeeze(int d) {
        return Views.squeeze(this, d);
    }

    // ---------------------------------------------------------------- math (ops with backward live in ops/)

    public Tensor add(Tensor o) {
        return Elementwise.add(this, o);
    }

    public Tensor sub(Tensor o) {
        return Elementwise.sub(this, o);
    }

    public Tensor mul(Tensor o) {
        return Elementwise.mul(this, o);
    }

    public Tensor div(Tensor o) {
        return Elementwise.div(this, o);
    }

    public Tensor neg() {
        return Elementwise.neg(this);
    }

    public Tensor exp() {
        return Elementwise.exp(this);
    }

    public Tensor log() {
        return Elementwise.log(this);
    }

    /** alpha * this. */
    public Tensor scale(float alpha) {
        return Elementwise.affine(this, alpha, 0f);
    }

    public Tensor addScalar(float beta) {
        return Elementwise.affine(this, 1f, beta);
    }

    public Tensor matmul(Tensor o) {
        return MatMul.matmul(this, o);
    }

    /** Sum of all elements. */
    public Tensor sum() {
        return Reductions.sum(this, false, Shapes.allAxes(shape.length));
    }

    public Tensor sum(boolean keepDim, int... axes) {
        return Reductions.sum(this, keepDim, axes);
    }

    public Tensor mean() {
        return Reductions.mean(this, false, Shapes.allAxes(shape.length));
    }

    public Tensor mean(boolean keepDim, int... axes) {
        return Reductions.mean(this, keepDim, axes);
    }

    /** Max over one axis (gradient flows to the first maximum). */
    public Tensor max(int axis, boolean keepDim) {
        return Reductions.max(this, axis, keepDim);
    }
}
