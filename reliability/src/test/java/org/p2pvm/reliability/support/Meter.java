package org.p2pvm.reliability.support;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Set;

/**
 * Heap and CPU measurements for the hostile-peer and fault suites. Heap: used heap after
 * {@code System.gc()} (with the default G1 an explicit GC is a full, compacting collection).
 * CPU: the process's CPU time minus that of the attacker's own threads, i.e. what the server (and
 * the JVM's GC and JIT on its behalf) spent: a generous over-estimate of the server's share.
 */
public final class Meter {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private Meter() {
    }

    /** Used heap after a full GC, bytes. */
    public static long heapAfterGc() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /** Process CPU time, nanoseconds. */
    public static long processCpu() {
        return OS.getProcessCpuTime();
    }

    /** CPU time of the given live threads, nanoseconds. */
    public static long threadsCpu(Set<Long> ids) {
        long sum = 0;
        for (long id : ids) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    /**
     * Live threads, not counting the JDK's shared ones that a test's own bookkeeping may start and
     * that linger by design (common ForkJoinPool workers, the process reaper).
     */
    public static int liveThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (t.isAlive() && !name.startsWith("ForkJoinPool") && !name.startsWith("process reaper")) {
                n++;
            }
        }
        return n;
    }

    public static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
