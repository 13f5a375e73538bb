package dev.latentr3.model.qwen2;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.OwnedTensors;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.model.config.Qwen2Config;

import java.util.Arrays;

/**
 * The keys and values of every token seen so far, per layer, for incremental decoding: preallocated owned memory
 * [B, capacity, Hkv, D] per layer (keys after RoPE), filled from position 0 on as forwards append to it. Alongside:
 * the key-padding mask of the cached tokens and, per batch row, how many real tokens it holds (the next token's RoPE
 * position).
 *
 * <p>Inference only: appending copies keys and values off the autograd tape. Close it to free its memory at once
 * (else the garbage collector does, eventually).
 */
public final class KvCache implements AutoCloseable {
    private final int batch, capacity, kvHeads, headDim;
    private final Tensor[] keys, values;
    private final Tensor mask;
    private final int[] realTokens;
    private final Device device;
    private int length;

    /** A cache on {@code device} (the model's: keys and values are written by its attention). */
    KvCache(Qwen2Config config, int batch, int capacity, Device device) {
        if (batch <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("KvCache: batch " + batch + " and capacity " + capacity + " must be positive");
        }
        this.batch = batch;
        this.capacity = capacity;
        this.device = device;
        this.kvHeads = config.numKeyValueHeads();
        this.headDim = config.headDim();
        int layers = config.numHiddenLayers();
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        for (int i = 0; i < layers; i++) {
            keys[i] = OwnedTensors.empty(device, DType.F32, batch, capacity, kvHeads, headDim).named("cache.keys." + i);
            values[i] = OwnedTensors.empty(device, DType.F32, batch, capacity, kvHeads, headDim).named("cache.values." + i);
        }
        this.mask = OwnedTensors.empty(device, DType.I32, batch, capacity).named("cache.mask");
        this.realTokens = new int[batch];
    }

    public int batch() {
        return batch;
    }

    public int capacity() {
        return capacity;
    }

    /** Tokens cached so far (padding included). */
    public int length() {
        return length;
    }

    /** Real tokens cached so far in batch row b: the RoPE position its next real token gets. */
    public int realTokens(int b) {
        return realTokens[b];
    }

    /**
     * RoPE positions for the next {@code newMask} [B, L] tokens: each real token counts on from its row's real tokens
     * so far; padding gets 1, as in {@link Qwen2ForCausalLM#defaultPositions}.
     */
    Tensor nextPositions(Tensor newMask) {
        int l = newMask.size(1);
        int[] m = newMask.toIntArray(), p = new int[m.length];
        for (int b = 0; b < batch; b++) {
            int seen = realTokens[b];
            for (int t = 0; t < l; t++) {
                int i = b * l + t;
                p[i] = m[i] != 0 ? seen++ : 1;
            }
        }
        return Tensor.ofInts(p, batch, l).to(device); // counted on the host, used where the cache lives
    }

    /** Checks that {@code newTokens} more tokens fit. */
    void requireRoom(int newTokens) {
        if (length + newTokens > capacity) {
            throw new IllegalStateException("KvCache: " + length + " cached + " + newTokens + " new tokens exceed the capacity "
                    + capacity);
        }
    }

    /** Writes layer's new keys and values [B, L, Hkv, D] at the current end (not yet counted in length()). */
    void write(int layer, Tensor k, Tensor v) {
        int l = k.size(1);
        requireRoom(l);
        try (var noGrad = GradMode.noGrad()) {
            Views.copyInto(keys[layer].slice(1, length, length + l), k.detach());
            Views.copyInto(values[layer].slice(1, length, length + l), v.detach());
        }
    }

    /** Layer's keys [B, length() + pending, Hkv, D]: the cached ones followed by the just-written ones. */
    Tensor keys(int layer, int pending) {
        return keys[layer].slice(1, 0, length + pending);
    }

    Tensor values(int layer, int pending) {
        return values[layer].slice(1, 0, length + pending);
    }

    /** The key-padding mask I32 [B, length() + pending], newMask's columns included once {@link #writeMask} ran. */
    Tensor mask(int pending) {
        return mask.slice(1, 0, length + pending);
    }

    void writeMask(Tensor newMask) {
        requireRoom(newMask.size(1));
        Views.copyInto(mask.slice(1, length, length + newMask.size(1)), newMask.contiguous());
    }

    /** Counts newMask's tokens as cached, once every layer has written them. */
    void advance(Tensor newMask) {
        int l = newMask.size(1);
        int[] m = newMask.toIntArray();
        for (int b = 0; b < batch; b++) for (int t = 0; t < l; t++) if (m[b * l + t] != 0) realTokens[b]++;
        length += l;
    }

    /**
     * Rearranges the batch rows: row b becomes a copy of old row {@code from[b]} (beam search keeping the best
     * continuations, several possibly from the same parent).
     */
    public void reorder(int[] from) {
        boolean identity = from.length == batch;
        for (int b = 0; identity && b < batch; b++) identity = from[b] == b;
        if (!identity) copyRowsFrom(this, from);
    }

    /**
     * Makes this cache's row b a copy of {@code source}'s row {@code from[b]}, for every row, and its length
     * source's: expands a prompt's cache into one row per beam, or reorders a cache in place ({@code source == this}).
     * The capacities may differ; source's tokens must fit in this one.
     */
    public void copyRowsFrom(KvCache source, int[] from) {
        if (from.length != batch) {
            throw new IllegalArgumentException("KvCache.copyRowsFrom: " + from.length + " rows given for a batch of " + batch);
        }
        for (int f : from) {
            if (f < 0 || f >= source.batch) {
                throw new IllegalArgumentException("KvCache.copyRowsFrom: row " + f + " is outside the source batch of " + source.batch);
            }
        }
        if (source.keys.length != keys.length || source.kvHeads != kvHeads || source.headDim != headDim) {
            throw new IllegalArgumentException("KvCache.copyRowsFrom: the source cache is for another model shape");
        }
        int n = source.length;
        if (n > capacity) {
            throw new IllegalArgumentException("KvCache.copyRowsFrom: " + n + " cached tokens exceed the capacity " + capacity);
        }
        if (n > 0) {
            try (var noGrad = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
                Tensor rows = Tensor.ofInts(from, batch).to(device);
                for (int i = 0; i < keys.length; i++) {
                    // Gathered into a scoped temporary first: in place, a row may be read after another was written.
                    copyInto(keys[i], gatherRows(source.keys[i], rows, n), n);
                    copyInto(values[i], gatherRows(source.values[i], rows, n), n);
                }
                copyInto(mask, gatherRows(source.mask, rows, n), n);
            }
        }
        int[] counts = source.realTokens.clone();
        for (int b = 0; b < batch; b++) realTokens[b] = counts[from[b]];
        length = n;
    }

    /** Rows of t's first n tokens, gathered: [from.length, n, ...]. */
    private static Tensor gatherRows(Tensor t, Tensor rows, int n) {
        int[] shape = t.shape();
        shape[0] = rows.size(0);
        shape[1] = n;
        Tensor prefix = t.slice(1, 0, n);
        Tensor flat = prefix.reshape(t.size(0), -1); // copies unless the prefix is the whole cache
        if (t.dtype() == DType.I32) {
            // The engine's row gather is F32 only; masks are small, so gather them on the heap.
            int[] m = flat.toIntArray(), out = new int[Math.toIntExact(rows.size(0) * (long) flat.size(1))];
            int[] r = rows.toIntArray();
            int w = flat.size(1);
            for (int b = 0; b < r.length; b++) System.arraycopy(m, r[b] * w, out, b * w, w);
            return Tensor.ofInts(out, shape).to(t.device());
        }
        return Indexing.embedding(flat, rows).reshape(shape);
    }

    private static void copyInto(Tensor cache, Tensor prefix, int n) {
        Views.copyInto(cache.slice(1, 0, n), prefix);
    }

    /** Forgets the cached tokens (the memory is kept for the next sequence). */
    public void clear() {
        length = 0;
        Arrays.fill(realTokens, 0);
    }

    @Override
    public void close() {
        for (Tensor t : keys) t.close();
        for (Tensor t : values) t.close();
        mask.close();
    }
}
