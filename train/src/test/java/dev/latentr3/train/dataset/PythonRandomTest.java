package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Expected values are CPython 3.11's: {@code random.seed(s)} then {@code getrandbits(32)} or {@code shuffle}. */
class PythonRandomTest {
    @Test
    void rawOutputsMatchPython() {
        PythonRandom r = new PythonRandom(42);
        long[] python = {2746317213L, 478163327L, 107420369L, 3184935163L, 1181241943L};
        for (long v : python) assertEquals(v, r.nextUnsignedInt());
        PythonRandom wide = new PythonRandom((1L << 40) + 5); // a seed of two 32-bit words
        for (long v : new long[] {2166296868L, 2220160828L, 1153647273L}) assertEquals(v, wide.nextUnsignedInt());
    }

    @Test
    void shuffleMatchesPython() {
        assertEquals(List.of(19, 5, 14, 4, 9, 13, 15, 18, 6, 12, 17, 10, 1, 11, 2, 16, 7, 8, 0, 3), shuffled(42, 20));
        assertEquals(List.of(4, 0, 3, 1, 2), shuffled(7, 5));
        List<Integer> big = shuffled(42, 1000);
        assertEquals(List.of(776, 507, 895, 922, 33, 483, 85, 750, 354, 523), big.subList(0, 10));
        assertEquals(List.of(281, 759, 25, 114, 654), big.subList(995, 1000));
    }

    private static List<Integer> shuffled(long seed, int n) {
        List<Integer> list = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        new PythonRandom(seed).shuffle(list);
        return list;
    }
}
