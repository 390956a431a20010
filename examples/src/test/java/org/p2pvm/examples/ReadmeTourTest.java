package org.p2pvm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's API tour is the compiled {@link ApiTour}: its ```java block under "## API tour" must
 * equal the lines between {@code // tour:begin} and {@code // tour:end} of ApiTour.java, with the
 * common indentation removed.
 */
class ReadmeTourTest {

    /** The examples module's directory (surefire runs in it; {@code basedir} when set). */
    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    static List<String> tourRegion(List<String> source) {
        int begin = -1;
        int end = -1;
        for (int i = 0; i < source.size(); i++) {
            String t = source.get(i).trim();
            if (t.equals("// tour:begin")) {
                begin = i;
            } else if (t.equals("// tour:end")) {
                end = i;
            }
        }
        assertTrue(begin >= 0 && end > begin, "ApiTour.java has // tour:begin ... // tour:end");
        return dedent(source.subList(begin + 1, end));
    }

    static List<String> readmeTourBlock(List<String> readme) {
        int heading = readme.indexOf("## API tour");
        assertTrue(heading >= 0, "README.md has a '## API tour' section");
        int open = -1;
        for (int i = heading + 1; i < readme.size(); i++) {
            if (readme.get(i).startsWith("## ")) {
                break;
            }
            if (readme.get(i).trim().equals("```java")) {
                open = i;
                break;
            }
        }
        assertTrue(open >= 0, "the API tour section has a ```java block");
        int close = open + 1;
        while (close < readme.size() && !readme.get(close).trim().equals("```")) {
            close++;
        }
        return stripTrailing(readme.subList(open + 1, close));
    }

    private static List<String> dedent(List<String> lines) {
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.isBlank() ? "" : l.substring(indent).stripTrailing());
        }
        return out;
    }

    private static List<String> stripTrailing(List<String> lines) {
        return lines.stream().map(String::stripTrailing).toList();
    }

    @Test
    void readmeShowsExactlyTheCompiledTour() throws IOException {
        Path dir = moduleDir();
        List<String> source = Files.readAllLines(
                dir.resolve("src/main/java/org/p2pvm/examples/ApiTour.java"), StandardCharsets.UTF_8);
        List<String> readme = Files.readAllLines(dir.resolve("../README.md"), StandardCharsets.UTF_8);
        List<String> region = tourRegion(source);
        assertTrue(region.size() > 10, "the tour has some substance");
        assertEquals(String.join("\n", region), String.join("\n", readmeTourBlock(readme)),
                "README.md's API tour differs from ApiTour.java's tour region: copy the region into the README");
    }
}
