package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChronologicalSplitTest {
    private static Interaction at(String user, long time) {
        return new Interaction(user, List.of("a"), "b", List.of(0), 1, List.of("A"), "B", List.of(5.0), 5.0, List.of(time - 1), time);
    }

    @Test
    void sortsStablyAndCutsWherePythonsIntTruncates() {
        List<Interaction> rows = new ArrayList<>();
        long[] times = {50, 10, 30, 10, 20, 40, 30, 60, 70, 80, 90, 100, 110, 120};
        for (int i = 0; i < times.length; i++) rows.add(at("u" + i, times[i]));
        List<List<Interaction>> parts = ChronologicalSplit.split(rows, 0.8, 0.9);
        // 14 rows: int(14 * 0.8) = 11, int(14 * 0.9) = 12 (14 * 0.9 = 12.6 in binary floating point).
        assertEquals(List.of("u1", "u3", "u4", "u2", "u6", "u5", "u0", "u7", "u8", "u9", "u10"), users(parts.get(0)));
        assertEquals(List.of("u11"), users(parts.get(1)));
        assertEquals(List.of("u12", "u13"), users(parts.get(2)));
    }

    @Test
    void refusesCutsThatAreNotIncreasingFractions() {
        List<Interaction> rows = List.of(at("u", 1));
        assertThrows(IllegalArgumentException.class, () -> ChronologicalSplit.split(rows));
        assertThrows(IllegalArgumentException.class, () -> ChronologicalSplit.split(rows, 0.9, 0.8));
        assertThrows(IllegalArgumentException.class, () -> ChronologicalSplit.split(rows, 1.0));
    }

    private static List<String> users(List<Interaction> rows) {
        return rows.stream().map(Interaction::userId).toList();
    }
}
