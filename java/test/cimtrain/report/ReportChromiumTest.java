package cimtrain.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * report.html in a real browser: headless Chromium, with every network request sent to a dead proxy,
 * loads the page and reports each image's decoded size. The report carries no script, so the test
 * loads a copy with a probe appended that writes {@code complete:naturalWidthxnaturalHeight} of every
 * image into the page, which {@code --dump-dom} prints once the page has loaded. A PNG the browser
 * could not decode has a natural size of 0x0; a control image with a broken data URI shows that the
 * probe tells the two apart. Skipped where Chromium is not installed (.ci/run installs Debian's).
 */
class ReportChromiumTest {
    private static final String PROBE = """
            <img id="control" alt="broken on purpose" src="data:image/png;base64,iVBORw0KGgoAAAA=">
            <script>
            window.addEventListener('load', function () {
              var seen = [];
              for (var i = 0; i < document.images.length; i++) {
                var im = document.images[i];
                seen.push(im.complete + ':' + im.naturalWidth + 'x' + im.naturalHeight);
              }
              var out = document.createElement('pre');
              out.id = 'image-probe';
              out.textContent = seen.join(' ');
              document.body.appendChild(out);
            });
            </script>
            """;

    @TempDir
    Path tmp;

    @Test
    void theBrowserDecodesEveryEmbeddedPlotWithoutNetwork() throws Exception {
        Optional<Path> chromium = onPath("chromium", "chromium-browser");
        assumeTrue(chromium.isPresent(), "Chromium is not installed");
        Report.Result r = Report.build(List.of(ReportFixtures.LENET), tmp.resolve("report"), null);
        String html = Files.readString(tmp.resolve("report/report.html"));
        // the probe page sits in another folder: the report must not need the PNG files beside it
        Path page = Files.writeString(tmp.resolve("probe.html"), html.replace("</body>", PROBE + "</body>"));

        Path dom = tmp.resolve("dom.html");
        Process p = new ProcessBuilder(chromium.get().toString(), "--headless", "--disable-gpu", "--no-sandbox",
                "--no-first-run", "--user-data-dir=" + tmp.resolve("profile"), "--proxy-server=http://127.0.0.1:9",
                "--virtual-time-budget=10000", "--dump-dom", page.toUri().toString())
                .redirectOutput(dom.toFile()).redirectError(tmp.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("Chromium did not finish within 120 s");
        }
        Matcher m = Pattern.compile("<pre id=\"image-probe\">([^<]*)</pre>").matcher(Files.readString(dom));
        assertTrue(m.find(), "no probe output; Chromium exited with " + p.exitValue() + ", log: "
                + Files.readString(tmp.resolve("chromium.log")).lines().limit(5).toList());
        List<String> seen = Arrays.asList(m.group(1).trim().split(" "));
        assertEquals(r.plots().size() + 1, seen.size(), "the plots and the control: " + seen);
        for (String image : seen.subList(0, r.plots().size())) {
            assertEquals("true:900x520", image, "every plot decoded at its size: " + seen);
        }
        assertTrue(seen.get(seen.size() - 1).endsWith(":0x0"), "the broken control image is seen as broken: " + seen);
    }

    private static Optional<Path> onPath(String... names) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }
}
