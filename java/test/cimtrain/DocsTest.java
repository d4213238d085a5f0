package cimtrain;

import cimtrain.cli.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps the user documentation true: every relative link in README.md, docs/*.md and eval-reports/README.md
 * names a file or folder that exists, every {@code ./cimtrain} command in the README's fenced code blocks
 * parses with the command line's own option checking (an unknown option or a missing required one fails),
 * and the README stays within 12 KB.
 */
class DocsTest {
    static final Path README = Path.of("README.md");
    static final int README_MAX_BYTES = 12_288;
    /** [text](target) or [text](target "title"); images too. */
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    /** The Markdown files whose links are checked. */
    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(README);
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        docs.add(Path.of("eval-reports/README.md"));
        return docs;
    }

    @Test
    void readmeStaysWithinItsSize() throws IOException {
        long size = Files.size(README);
        assertTrue(size <= README_MAX_BYTES, "README.md is " + size + " bytes, more than " + README_MAX_BYTES
                + ": move reference material to docs/");
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            assertTrue(Files.isRegularFile(doc), doc + " is missing");
            for (String target : relativeLinks(Files.readString(doc))) {
                checked++;
                if (!Files.exists(doc.toAbsolutePath().getParent().resolve(target).normalize())) {
                    broken.add(doc + ": " + target);
                }
            }
        }
        assertTrue(checked >= 20, "only " + checked + " relative links found: is the link pattern still right?");
        if (!broken.isEmpty()) {
            fail("links to files or folders that do not exist:\n  " + String.join("\n  ", broken));
        }
    }

    @Test
    void everyReadmeCommandParses() throws IOException {
        List<String> commands = readmeCommands(Files.readString(README));
        assertTrue(commands.size() >= 10, "only " + commands.size() + " ./cimtrain commands found in the README");
        List<String> bad = new ArrayList<>();
        for (String command : commands) {
            String problem = parseProblem(command);
            if (problem != null) {
                bad.add(command + "\n    -> " + problem);
            }
        }
        if (!bad.isEmpty()) {
            fail("README commands the command line rejects:\n  " + String.join("\n  ", bad));
        }
    }

    @Test
    void theCheckRejectsAnUnknownOption() {
        assertTrue(parseProblem("./cimtrain train --model lenet-paper --no-such-option 3") != null);
        assertTrue(parseProblem("./cimtrain reproduce lenet --seeds 3") == null);
    }

    /** Null when the command line parses, else picocli's message. Nothing is run. */
    static String parseProblem(String command) {
        List<String> words = words(command);
        if (words.isEmpty() || !words.get(0).equals("./cimtrain")) {
            return "not a ./cimtrain command";
        }
        try {
            new CommandLine(new Main()).parseArgs(words.subList(1, words.size()).toArray(String[]::new));
            return null;
        } catch (CommandLine.ParameterException e) {
            return e.getMessage();
        }
    }

    /** Link targets that are paths in the project: no URL scheme, no pure #anchor; the #anchor cut off. */
    static List<String> relativeLinks(String markdown) {
        List<String> out = new ArrayList<>();
        for (String line : outsideCode(markdown)) {
            Matcher m = LINK.matcher(line);
            while (m.find()) {
                String target = m.group(1);
                int hash = target.indexOf('#');
                if (hash >= 0) {
                    target = target.substring(0, hash);
                }
                if (target.isEmpty() || SCHEME.matcher(target).find()) {
                    continue;
                }
                out.add(target);
            }
        }
        return out;
    }

    /** The lines of a Markdown text outside fenced code blocks (links there are not rendered). */
    private static List<String> outsideCode(String markdown) {
        List<String> out = new ArrayList<>();
        boolean code = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.trim().startsWith("```")) {
                code = !code;
            } else if (!code) {
                out.add(line);
            }
        }
        return out;
    }

    /**
     * Each {@code ./cimtrain ...} command in the fenced code blocks: lines joined at a trailing backslash,
     * a command running to the end of the line, a shell separator (&&, ||, |, ;) or a # comment.
     */
    static List<String> readmeCommands(String markdown) {
        List<String> out = new ArrayList<>();
        boolean code = false;
        StringBuilder joined = new StringBuilder();
        for (String line : markdown.split("\n", -1)) {
            if (line.trim().startsWith("```")) {
                code = !code;
                continue;
            }
            if (!code) {
                continue;
            }
            if (line.endsWith("\\")) {
                joined.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            joined.append(line);
            String text = joined.toString();
            joined.setLength(0);
            for (int at = text.indexOf("./cimtrain"); at >= 0; at = text.indexOf("./cimtrain", at + 1)) {
                if (at > 0 && !Character.isWhitespace(text.charAt(at - 1))) {
                    continue;
                }
                String rest = text.substring(at);
                int end = rest.length();
                for (String stop : new String[]{"&&", "||", "|", ";", " #"}) {
                    int i = rest.indexOf(stop);
                    if (i >= 0 && i < end) {
                        end = i;
                    }
                }
                out.add(rest.substring(0, end).trim());
            }
        }
        return out;
    }

    /** Splits a command into words as the shell would for these simple lines (quotes, no expansion). */
    static List<String> words(String command) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : command.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }
}
