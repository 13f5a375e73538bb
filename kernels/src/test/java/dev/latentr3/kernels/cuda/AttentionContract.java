package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.AttentionKernels;
import dev.latentr3.kernels.cpu.ReferenceAttention;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.latentr3.kernels.KernelCheck.F32_ATOL;
import static dev.latentr3.kernels.KernelCheck.F32_RTOL;
import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.nanFloats;
import static dev.latentr3.kernels.KernelCheck.randomFloats;

/**
 * {@link CudaAttention} forward and backward against {@link ReferenceAttention}: grouped-query heads, causal masks with
 * a KV-cache offset, key-padding masks, rows that see no key, head dimensions off multiples of 32 and one that needs
 * more than 48 KiB of shared memory, several tiles with a partial last one, and every width class of the kernels.
 */
abstract class AttentionContract {
    abstract CudaRuntime runtime();

    final AttentionKernels ref = new ReferenceAttention();

    record Case(String name, int batch, int lq, int lk, int hq, int hkv, int headDim, boolean causal, boolean masked) {}

    static final Case[] CASES = {
            new Case("causal GQA", 2, 37, 37, 4, 2, 16, true, false),
            new Case("KV cache with left padding", 2, 5, 40, 2, 1, 40, true, true),
            new Case("queries that see no key", 1, 8, 4, 2, 2, 8, true, false),
            new Case("padded keys, 3 slices of D", 2, 19, 45, 3, 3, 72, false, true),
            new Case("D 128 (over 48 KiB of shared memory)", 1, 17, 33, 2, 2, 128, false, false),
            // several 64-row and 64-key tiles, with partial last tiles, in each width class of the kernels
            new Case("D 64, 7 query heads per key head, 3 tiles", 1, 150, 150, 7, 1, 64, true, true),
            new Case("D 80, 2 x 3 tiles, no grouping", 2, 70, 131, 2, 2, 80, false, true),
            new Case("D 128, KV cache across tiles", 1, 65, 129, 4, 2, 128, true, false),
            new Case("D 33 (rows not 16-byte aligned)", 1, 20, 70, 2, 1, 33, true, true),
            new Case("D 160, 32-row blocks", 1, 40, 72, 2, 1, 160, true, false),
            new Case("D 256", 1, 33, 70, 1, 1, 256, false, true),
            // the wide kernels: 32-key (or -query) chunks, D not a multiple of 4 or of the 256 threads
            new Case("wide D 257, causal GQA, queries that see no key", 1, 8, 4, 4, 2, 257, true, false),
            new Case("wide D 320, KV cache with left padding, 2 query heads per key head", 2, 5, 40, 2, 1, 320, true, true),
            new Case("wide D 320, 2 x 2 chunks, no grouping", 2, 40, 33, 2, 2, 320, false, true),
            new Case("wide D 257, causal over 2 chunks, 3 query heads per key head", 1, 35, 35, 3, 1, 257, true, false),
            new Case("wide D 896, one query per row, a row that sees no key (LatentRATT)", 3, 1, 45, 1, 1, 896, false, true),
            new Case("wide D 896, one query, causal, grouped", 1, 1, 9, 2, 1, 896, true, false),
    };

    @Test
    void forwardAndBackwardMatchTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            int seed = 0;
            for (Case c : CASES) {
                long qn = (long) c.batch * c.lq * c.hq * c.headDim, kvn = (long) c.batch * c.lk * c.hkv * c.headDim;
                long lsen = (long) c.batch * c.hq * c.lq;
                float scale = (float) (1 / Math.sqrt(c.headDim));
                MemorySegment q = randomFloats(d.arena, qn, ++seed, -1, 1), k = randomFloats(d.arena, kvn, ++seed, -1, 1);
                MemorySegment v = randomFloats(d.arena, kvn, ++seed, -1, 1), dOut = randomFloats(d.arena, qn, ++seed, -1, 1);
                MemorySegment mask = null;
                if (c.masked) {
                    mask = d.arena.allocate((long) c.batch * c.lk * 4);
                    for (int b = 0; b < c.batch; b++) {
                        for (int j = 0; j < c.lk; j++) {
                            // batch entry b is left-padded by 3 + 4b keys; entry 1 also drops every 7th key, and
                            // entry 2 sees no key at all (its rows output 0 and send no gradient)
                            boolean keep = j >= 3 + 4 * b && !(b == 1 && j % 7 == 0) && b != 2;
                            mask.setAtIndex(ValueLayout.JAVA_INT, (long) b * c.lk + j, keep ? 1 : 0);
                        }
                    }
                }
                MemorySegment out = nanFloats(d.arena, qn), lse = nanFloats(d.arena, lsen);
                ref.attention(c.batch, c.lq, c.lk, c.hq, c.hkv, c.headDim, scale, c.causal, q, k, v, mask, out, lse);
                MemorySegment dq = nanFloats(d.arena, qn), dk = nanFloats(d.arena, kvn), dv = nanFloats(d.arena, kvn);
                ref.attentionBackward(c.batch, c.lq, c.lk, c.hq, c.hkv, c.headDim, scale, c.causal, q, k, v, mask, out, lse,
                        dOut, dq, dk, dv);

                CudaAttention cuda = new CudaAttention(runtime());
                MemorySegment gq = d.upload(q), gk = d.upload(k), gv = d.upload(v), gMask = mask == null ? null : d.upload(mask);
                MemorySegment gOut = d.nanFloats(qn), gLse = d.nanFloats(lsen);
                cuda.attention(c.batch, c.lq, c.lk, c.hq, c.hkv, c.headDim, scale, c.causal, gq, gk, gv, gMask, gOut, gLse);
                assertClose(c.name + " out", out, d.downloadFloats(gOut, qn), qn, F32_ATOL, F32_RTOL);
                assertClose(c.name + " lse", lse, d.downloadFloats(gLse, lsen), lsen, F32_ATOL, F32_RTOL);

                MemorySegment gdq = d.nanFloats(qn), gdk = d.nanFloats(kvn), gdv = d.nanFloats(kvn);
                cuda.attentionBackward(c.batch, c.lq, c.lk, c.hq, c.hkv, c.headDim, scale, c.causal, gq, gk, gv, gMask,
                        d.upload(out), d.upload(lse), d.upload(dOut), gdq, gdk, gdv);
                assertClose(c.name + " dq", dq, d.downloadFloats(gdq, qn), qn, F32_ATOL, F32_RTOL);
                assertClose(c.name + " dk", dk, d.downloadFloats(gdk, kvn), kvn, F32_ATOL, F32_RTOL);
                assertClose(c.name + " dv", dv, d.downloadFloats(gdv, kvn), kvn, F32_ATOL, F32_RTOL);
            }
        }
    }
}
