package org.p2pvm.transport.netty.leak;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran (or just after, once garbage
 * collection found the lost buffer). Applied to every test class of this module through JUnit's
 * extension auto-detection ({@code junit-platform.properties}).
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        if (!LeakRecorder.isInstalled()) {
            throw new IllegalStateException("the leak recorder is not installed: LeakRecorderInstaller must be"
                    + " registered as a LauncherSessionListener");
        }
        if (!"paranoid".equalsIgnoreCase(System.getProperty("io.netty.leakDetection.level"))) {
            throw new IllegalStateException("run the tests with -Dio.netty.leakDetection.level=paranoid");
        }
        // leaks of an earlier class belong to that class, not to this one
        List<String> earlier = LeakRecorder.collect();
        if (!earlier.isEmpty()) {
            throw new AssertionError(earlier.size() + " ByteBuf leak(s) reported before "
                    + context.getDisplayName() + ":\n" + String.join("\n", earlier));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = LeakRecorder.collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported while " + context.getDisplayName()
                    + " ran:\n" + String.join("\n", leaks));
        }
    }
}
