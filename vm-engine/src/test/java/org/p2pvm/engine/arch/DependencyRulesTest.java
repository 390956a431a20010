package org.p2pvm.engine.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md's dependency direction, enforced: vm-api and vm-engine use nothing but the JDK and
 * slf4j (no Netty, Grizzly, Undertow), and vm-api holds no implementation.
 */
class DependencyRulesTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.p2pvm");
    }

    @Test
    void apiAndEngine_dependOnlyOnJdkAndSlf4j() {
        classes().that().resideInAnyPackage("org.p2pvm", "org.p2pvm.spi", "org.p2pvm.engine..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..", "javax.net.ssl..", "org.slf4j..",
                        "org.p2pvm", "org.p2pvm.spi", "org.p2pvm.engine..")
                .check(core);
    }

    @Test
    void noNettyGrizzlyOrUndertowInTheCore() {
        noClasses().that().resideInAnyPackage("org.p2pvm", "org.p2pvm.spi", "org.p2pvm.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.glassfish..", "io.undertow..",
                        "org.xnio..")
                .check(core);
    }

    @Test
    void apiDoesNotReachIntoTheEngine() {
        noClasses().that().resideInAnyPackage("org.p2pvm", "org.p2pvm.spi")
                .should().dependOnClassesThat().resideInAPackage("org.p2pvm.engine..")
                .check(core);
    }

    @Test
    void apiHoldsNoImplementationClasses() {
        classes().that().resideInAnyPackage("org.p2pvm", "org.p2pvm.spi").and().areTopLevelClasses()
                .should().haveSimpleNameNotEndingWith("Impl")
                .check(core);
    }

    @Test
    void engineImplementationStaysInInternal() {
        classes().that().resideInAPackage("org.p2pvm.engine.internal..")
                .should().onlyBeAccessed().byClassesThat().resideInAnyPackage("org.p2pvm.engine", "org.p2pvm.engine.internal..")
                .check(core);
    }
}
