package dev.latentr3.train.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The ticks of one axis: where the axis starts and ends, and the tick values with their labels. Linear ticks fall on
 * "nice" numbers, multiples of 1, 2 or 5 × 10^k, and the axis is widened to the ticks around the data (so it starts
 * and ends on a label); logarithmic ticks fall on powers of ten (with 2 and 5 in between when the range spans few
 * decades).
 *
 * <p>Tick values are computed as k × step in decimal arithmetic, so labels read {@code 0.3}, never
 * {@code 0.30000000000000004}. Labels on one axis share one style: plain decimals with the same number of places
 * when every label lies in [0.001, 10^6), otherwise scientific notation such as {@code 2e5} or {@code 1.5e-4}.
 */
public record Ticks(double min, double max, double[] values, String[] labels) {
    public Ticks {
        if (!(min < max)) throw new IllegalArgumentException("Ticks: min " + min + " must be below max " + max);
        if (values.length != labels.length) throw new IllegalArgumentException("Ticks: one label per value");
        values = values.clone();
        labels = labels.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    public String[] labels() {
        return labels.clone();
    }

    /**
     * Nice linear ticks covering [lo, hi] with about {@code intervals} steps between them. A single value (lo == hi)
     * gets a small range around it, so a constant series still has an axis. With {@code integral} the step is at
     * least 1 (for optimizer steps, epochs, counts).
     */
    public static Ticks linear(double lo, double hi, int intervals, boolean integral) {
        checkRange(lo, hi);
        if (intervals < 1) throw new IllegalArgumentException("Ticks: intervals must be >= 1, got " + intervals);
        double magnitude = Math.max(Math.abs(lo), Math.abs(hi));
        // A span below a few ulps cannot be drawn as a slope at all; show it as the constant it is to double precision.
        if (hi - lo <= 16 * Math.ulp(magnitude)) {
            double mid = lo / 2 + hi / 2;
            double pad = mid == 0 ? 1 : Math.abs(mid) * 0.1;
            if (integral) pad = Math.max(1, Math.ceil(pad));
            lo = mid - pad;
            hi = mid + pad;
        }
        BigDecimal step = niceStep((hi - lo) / intervals);
        if (integral && step.compareTo(BigDecimal.ONE) < 0) step = BigDecimal.ONE;
        double s = step.doubleValue();
        // The tolerance keeps a bound that is already a multiple (0.3 / 0.1 = 2.9999999999999996) from gaining a step.
        long first = (long) Math.floor(lo / s + 1e-9);
        long last = (long) Math.ceil(hi / s - 1e-9);
        if (last == first) last++;
        List<BigDecimal> ticks = new ArrayList<>();
        for (long k = first; k <= last; k++) ticks.add(step.multiply(BigDecimal.valueOf(k)));
        return of(ticks.getFirst().doubleValue(), ticks.getLast().doubleValue(), ticks, step);
    }

    /** Ticks for a base-10 logarithmic axis over [lo, hi], both > 0; the axis runs from and to powers of ten. */
    public static Ticks log10(double lo, double hi) {
        checkRange(lo, hi);
        if (!(lo > 0)) throw new IllegalArgumentException("Ticks: a log axis needs values > 0, got " + lo);
        // Math.log10 is exact at powers of ten; the tolerance absorbs values a rounding error below or above one.
        int e0 = (int) Math.floor(Math.log10(lo) + 1e-12);
        int e1 = (int) Math.ceil(Math.log10(hi) - 1e-12);
        if (e1 == e0) e1++;
        int decades = e1 - e0;
        int every = Math.max(1, (int) Math.ceil(decades / 8.0));
        List<BigDecimal> ticks = new ArrayList<>();
        for (int e = e0; e <= e1; e += every) {
            ticks.add(BigDecimal.ONE.scaleByPowerOfTen(e));
            if (decades <= 2 && e < e1) {
                ticks.add(BigDecimal.TWO.scaleByPowerOfTen(e));
                ticks.add(BigDecimal.valueOf(5).scaleByPowerOfTen(e));
            }
        }
        return of(Math.pow(10, e0), ticks.getLast().doubleValue(), ticks, null);
    }

    /** The same ticks on an axis cut to [lo, hi] (a fixed range): ticks outside it are dropped. */
    Ticks clippedTo(double lo, double hi) {
        checkRange(lo, hi);
        if (lo == hi) throw new IllegalArgumentException("Ticks: a fixed range needs min < max, got " + lo + " twice");
        List<Double> v = new ArrayList<>();
        List<String> l = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] >= lo - 1e-12 * Math.abs(lo) && values[i] <= hi + 1e-12 * Math.abs(hi)) {
                v.add(values[i]);
                l.add(labels[i]);
            }
        }
        return new Ticks(lo, hi, v.stream().mapToDouble(Double::doubleValue).toArray(), l.toArray(String[]::new));
    }

    /** 1, 2 or 5 × 10^k nearest to raw (on a log scale, roughly), as an exact decimal. */
    static BigDecimal niceStep(double raw) {
        int exp = (int) Math.floor(Math.log10(raw));
        double f = raw / Math.pow(10, exp);
        int mantissa;
        if (f < 1.5) {
            mantissa = 1;
        } else if (f < 3) {
            mantissa = 2;
        } else if (f < 7) {
            mantissa = 5;
        } else {
            mantissa = 1;
            exp++;
        }
        return BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exp);
    }

    private static Ticks of(double min, double max, List<BigDecimal> ticks, BigDecimal step) {
        double[] values = new double[ticks.size()];
        for (int i = 0; i < values.length; i++) values[i] = ticks.get(i).doubleValue();
        return new Ticks(min, max, values, labels(ticks, step));
    }

    /**
     * One style per axis: plain with a shared number of decimal places (those of the step) when all labels are in
     * [0.001, 10^6), else scientific. step == null (log axes): each label keeps only its own digits.
     */
    static String[] labels(List<BigDecimal> ticks, BigDecimal step) {
        BigDecimal largest = BigDecimal.ZERO;
        for (BigDecimal t : ticks) largest = largest.max(t.abs());
        BigDecimal smallestNonZero = null;
        for (BigDecimal t : ticks) {
            if (t.signum() != 0 && (smallestNonZero == null || t.abs().compareTo(smallestNonZero) < 0)) smallestNonZero = t.abs();
        }
        // Linear axes judge by the largest label (0.0012 reads fine next to 0.0020); log axes by every label.
        BigDecimal judged = step != null || smallestNonZero == null ? largest : smallestNonZero;
        boolean plain = largest.compareTo(BigDecimal.valueOf(1_000_000)) < 0
                && (largest.signum() == 0 || judged.compareTo(new BigDecimal("0.001")) >= 0);
        int places = step == null ? -1 : Math.max(0, step.stripTrailingZeros().scale());
        String[] out = new String[ticks.size()];
        for (int i = 0; i < out.length; i++) {
            BigDecimal t = ticks.get(i);
            if (t.signum() == 0) {
                out[i] = places > 0 && plain ? BigDecimal.ZERO.setScale(places).toPlainString() : "0";
            } else if (plain) {
                out[i] = places >= 0 ? t.setScale(places).toPlainString() : t.stripTrailingZeros().toPlainString();
            } else {
                out[i] = scientific(t);
            }
        }
        return out;
    }

    /** {@code 2e5}, {@code -1.5e-4}: the shortest mantissa that is exact. */
    static String scientific(BigDecimal v) {
        v = v.stripTrailingZeros();
        int exp = v.precision() - v.scale() - 1;
        BigDecimal mantissa = v.movePointLeft(exp).round(MathContext.DECIMAL64).stripTrailingZeros();
        return mantissa.toPlainString() + "e" + exp;
    }

    private static void checkRange(double lo, double hi) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("Ticks: the range must be finite, got [" + lo + ", " + hi + "]");
        }
        if (lo > hi) throw new IllegalArgumentException("Ticks: the range [" + lo + ", " + hi + "] is reversed");
    }
}
