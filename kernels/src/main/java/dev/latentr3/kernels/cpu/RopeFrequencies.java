package dev.latentr3.kernels.cpu;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * theta^(-2i / rotaryDim) for i < rotaryDim / 2, cached per (rotaryDim, theta): a model has one or two such
 * configurations and calls rope on every layer, so recomputing the pow calls would be waste. Computed exactly as
 * ReferenceRows does (Math.pow in double), so both kernels rotate by bit-identical angles.
 */
final class RopeFrequencies {
    private RopeFrequencies() {}

    /** A bound on the cache; a program that cycles through more configurations than this just recomputes. */
    private static final int MAX_ENTRIES = 32;

    private record Key(int rotaryDim, double theta) {}

    private static final Map<Key, double[]> CACHE = new ConcurrentHashMap<>();

    /** The shared array: callers must not modify it. */
    static double[] inverse(int rotaryDim, double theta) {
        Key key = new Key(rotaryDim, theta);
        double[] f = CACHE.get(key);
        if (f != null) return f;
        f = new double[rotaryDim / 2];
        for (int i = 0; i < f.length; i++) f[i] = Math.pow(theta, -2.0 * i / rotaryDim);
        if (CACHE.size() >= MAX_ENTRIES) CACHE.clear();
        CACHE.put(key, f);
        return f;
    }
}
