package org.re4j.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.re4j.io.AtomicFiles;

/**
 * A grid of 2-D scatter panels in the style of the paper's Figure 4: interests as stars, items as dots, each in
 * the colour of its interest. Drawn once through {@link Canvas}, which has a PNG (Java2D) and an SVG (text) back
 * end, so both files show the same picture.
 */
public final class ScatterFigure {

    /** One panel: points in any 2-D coordinates (scaled to fit), a colour group per point, stars for interests. */
    public record Panel(String title, double[][] xy, int[] group, boolean[] star) {
    }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
    private static final int PANEL = 300, GAP = 16, TITLE = 30;

    private final String title;
    private final List<Panel> panels;
    private final int columns;

    public ScatterFigure(String title, List<Panel> panels, int columns) {
        if (panels.isEmpty()) throw new IllegalArgumentException("a figure needs at least one panel");
        this.title = title;
        this.panels = List.copyOf(panels);
        this.columns = columns;
    }

    public int width() {
        return columns * (PANEL + GAP) + GAP;
    }

    public int height() {
        int rows = (panels.size() + columns - 1) / columns;
        return TITLE + rows * (PANEL + TITLE + GAP) + GAP;
    }

    public void writePng(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        draw(new Java2dCanvas(g));
        g.dispose();
        AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
    }

    public void writeSvg(Path file) throws IOException {
        SvgCanvas svg = new SvgCanvas(width(), height());
        draw(svg);
        AtomicFiles.write(file, out -> out.write(svg.finish().getBytes(StandardCharsets.UTF_8)));
    }

    private void draw(Canvas c) {
        c.rect(0, 0, width(), height(), Color.WHITE, null);
        c.text(GAP, 21, title, 15, true);
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            int x0 = GAP + (p % columns) * (PANEL + GAP), y0 = TITLE + (p / columns) * (PANEL + TITLE + GAP);
            c.text(x0, y0 + 18, panel.title(), 12, false);
            int top = y0 + TITLE;
            c.rect(x0, top, PANEL, PANEL, Color.WHITE, Color.GRAY);
            double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY, minY = minX, maxY = maxX;
            for (double[] q : panel.xy()) {
                minX = Math.min(minX, q[0]);
                maxX = Math.max(maxX, q[0]);
                minY = Math.min(minY, q[1]);
                maxY = Math.max(maxY, q[1]);
            }
            double span = Math.max(Math.max(maxX - minX, maxY - minY), 1e-9), pad = 18;
            double scale = (PANEL - 2 * pad) / span;
            double cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
            for (boolean stars : new boolean[] {false, true}) { // stars on top
                for (int i = 0; i < panel.xy().length; i++) {
                    if (panel.star()[i] != stars) continue;
                    double x = x0 + PANEL / 2.0 + (panel.xy()[i][0] - cx) * scale;
                    double y = top + PANEL / 2.0 - (panel.xy()[i][1] - cy) * scale;
                    Color col = PALETTE[Math.floorMod(panel.group()[i], PALETTE.length)];
                    if (stars) c.star(x, y, 10, col);
                    else c.dot(x, y, 4, col);
                }
            }
        }
    }

    /** The few drawing operations the figure needs. */
    private interface Canvas {
        void rect(double x, double y, double w, double h, Color fill, Color stroke);

        void dot(double x, double y, double r, Color fill);

        void star(double x, double y, double r, Color fill);

        void text(double x, double y, String s, int size, boolean bold);
    }

    /** Five-pointed star outline centred at (x, y) with outer radius r. */
    private static double[][] starPoints(double x, double y, double r) {
        double[][] pts = new double[10][2];
        for (int i = 0; i < 10; i++) {
            double a = -Math.PI / 2 + i * Math.PI / 5, rr = i % 2 == 0 ? r : r * 0.45;
            pts[i][0] = x + rr * Math.cos(a);
            pts[i][1] = y + rr * Math.sin(a);
        }
        return pts;
    }

    private static final class Java2dCanvas implements Canvas {
        private final Graphics2D g;

        Java2dCanvas(Graphics2D g) {
            this.g = g;
        }

        @Override
        public void rect(double x, double y, double w, double h, Color fill, Color stroke) {
            g.setColor(fill);
            g.fillRect((int) x, (int) y, (int) w, (int) h);
            if (stroke != null) {
                g.setColor(stroke);
                g.drawRect((int) x, (int) y, (int) w, (int) h);
            }
        }

        @Override
        public void dot(double x, double y, double r, Color fill) {
            g.setColor(fill);
            g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
        }

        @Override
        public void star(double x, double y, double r, Color fill) {
            Path2D.Double s = new Path2D.Double();
            double[][] pts = starPoints(x, y, r);
            s.moveTo(pts[0][0], pts[0][1]);
            for (int i = 1; i < pts.length; i++) s.lineTo(pts[i][0], pts[i][1]);
            s.closePath();
            g.setColor(fill);
            g.fill(s);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1f));
            g.draw(s);
        }

        @Override
        public void text(double x, double y, String s, int size, boolean bold) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size));
            g.drawString(s, (float) x, (float) y);
        }
    }

    private static final class SvgCanvas implements Canvas {
        private final StringBuilder sb = new StringBuilder();

        SvgCanvas(int w, int h) {
            sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                    + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n", w, h, w, h));
        }

        String finish() {
            return sb.append("</svg>\n").toString();
        }

        private static String hex(Color c) {
            return String.format("#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
        }

        @Override
        public void rect(double x, double y, double w, double h, Color fill, Color stroke) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"%s/>%n",
                    x, y, w, h, hex(fill), stroke == null ? "" : " stroke=\"" + hex(stroke) + "\""));
        }

        @Override
        public void dot(double x, double y, double r, Color fill) {
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>%n", x, y, r, hex(fill)));
        }

        @Override
        public void star(double x, double y, double r, Color fill) {
            sb.append("<polygon points=\"");
            for (double[] p : starPoints(x, y, r)) sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", p[0], p[1]));
            sb.append("\" fill=\"").append(hex(fill)).append("\" stroke=\"#000000\"/>\n");
        }

        @Override
        public void text(double x, double y, String s, int size, boolean bold) {
            String esc = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\"%s>%s</text>%n",
                    x, y, size, bold ? " font-weight=\"bold\"" : "", esc));
        }
    }
}
