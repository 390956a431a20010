package org.p2pvm.reliability.tls;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records the leaks Netty's {@link ResourceLeakDetector} reports (at PARANOID level: every buffer
 * tracked) instead of only logging them, so a test can assert that none were found. Installed once:
 * detectors Netty creates afterwards record every leak; the buffers' detector, if Netty made it
 * earlier in the same JVM, gets a leak listener (called when error logging is on). Thread-safe.
 */
final class NettyLeakRecorder {
    static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private NettyLeakRecorder() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
        // if Netty's buffers were loaded before (another test in this JVM), listen to their detector too
        try {
            java.lang.reflect.Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            f.setAccessible(true);
            Object detector = f.get(null);
            if (detector instanceof ResourceLeakDetector<?> d && !(d instanceof Recording)) {
                d.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a Netty without that field: the factory above is all we have
        }
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {
        Recording(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(resourceType + ": " + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(resourceType + " (untraced)");
        }
    }
}
