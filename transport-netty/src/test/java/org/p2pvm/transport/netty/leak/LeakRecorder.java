package org.p2pvm.transport.netty.leak;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every leak report of Netty's {@link ResourceLeakDetector} so tests can fail on them (the log
 * line alone would pass unnoticed). Installed once per test JVM by {@link LeakRecorderInstaller}
 * before any {@code ByteBuf} class initialises; the detector level comes from the surefire system
 * property {@code io.netty.leakDetection.level=paranoid}. Thread-safe.
 */
public final class LeakRecorder {
    private static final List<String> LEAKS = new ArrayList<>();
    private static volatile boolean installed;
    /** Set by the self-test while it leaks on purpose, so the expected report is not logged as an error. */
    static volatile boolean quiet;

    private LeakRecorder() {
    }

    /** Installs the recording factory; idempotent. Must run before the first ByteBuf is created. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }

            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
                return new Recording<>(resource, samplingInterval);
            }
        });
    }

    /** Whether the recording factory is in place (false means leaks would go unnoticed). */
    public static boolean isInstalled() {
        return installed;
    }

    /**
     * Collects garbage and makes the detectors poll their reference queues, so leaks of buffers that
     * are already unreachable get reported; then returns and clears everything reported so far.
     */
    public static List<String> collect() {
        for (int i = 0; i < 4; i++) {
            System.gc();
            // every tracked allocation polls the detector's queue of collected, unreleased buffers
            for (int j = 0; j < 8; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(8);
                a.release();
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
                b.release();
            }
        }
        synchronized (LEAKS) {
            List<String> out = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return out;
        }
    }

    private static void record(String report) {
        synchronized (LEAKS) {
            LEAKS.add(report);
        }
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {
        Recording(Class<?> resourceType, int samplingInterval) {
            super(resourceType, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record("LEAK " + resourceType + records);
            if (!quiet) {
                super.reportTracedLeak(resourceType, records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record("LEAK " + resourceType + " (untraced)");
            if (!quiet) {
                super.reportUntracedLeak(resourceType);
            }
        }
    }
}
