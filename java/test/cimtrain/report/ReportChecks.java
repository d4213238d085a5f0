package cimtrain.report;

import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks of the report's image files shared by the tests. */
public final class ReportChecks {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private ReportChecks() {
    }

    /** A PNG that decodes to the chart's size and holds a drawing, not a blank canvas. */
    static void assertChartPng(Path file) throws IOException {
        Headless.ensure();
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > 5_000, file + " is only " + bytes.length + " bytes");
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), file + " has no PNG signature");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(img, file + " does not decode");
        assertEquals(900, img.getWidth());
        assertEquals(520, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 10, file + " has only " + colours.size() + " colours: blank?");
    }

    /** An SVG document: well-formed XML whose root is svg (its DTD is not fetched: no network in tests). */
    static void assertSvg(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName(), file + " root element");
        assertTrue(doc.getElementsByTagNameNS("*", "path").getLength() > 10, file + " draws next to nothing");
    }

    /** The rows of a report CSV (no quoted cells in these tests), each by column name. */
    public static List<Map<String, String>> csvRows(String csv) {
        String[] lines = csv.split("\n");
        String[] head = lines[0].split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",", -1);
            assertEquals(head.length, cells.length, "cells in line " + (i + 1));
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < head.length; c++) {
                row.put(head[c], cells[c]);
            }
            rows.add(row);
        }
        return rows;
    }
}
