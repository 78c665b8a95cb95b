package io.sightline.bench.escalation;

import io.sightline.testsupport.TestImages;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;

/**
 * The scripted recording: one hour of one camera at 1 frame per second, composed from the shared test images
 * (astronaut.png = a person, coffee.png = a cup on a table, chelsea.png = a cat) on a synthetic room with a
 * monitor on the wall. Deterministic (seeded): every replay renders the same frames. See README.md.
 */
final class Recording {

    static final int WIDTH = 1280;
    static final int HEIGHT = 720;
    static final int SECONDS = 3600;

    /** A ground-truth event: what happens, from which second of the recording. */
    record Event(String name, int start) {
    }

    static final int PERSON_ENTERS = 300;
    /** The person (420 px wide) walks 80 px/s from x = -250: from second 17 of the walk less than half is in frame. */
    static final int PERSON_LEAVES = PERSON_ENTERS + 17;
    static final int CUP_ARRIVES = 600;
    static final int CAT_APPEARS = 1500;
    static final int CAT_LEAVES = 1800;
    static final int TEXT_B = 2400;
    static final int TEXT_C = 3000;

    static final List<Event> EVENTS = List.of(
            new Event("person enters", PERSON_ENTERS),
            new Event("person leaves", PERSON_LEAVES),
            new Event("cup on a table arrives and stays (stands in for the car: no car in the shared images)", CUP_ARRIVES),
            new Event("cat appears", CAT_APPEARS),
            new Event("cat leaves", CAT_LEAVES),
            new Event("text on the monitor changes", TEXT_B),
            new Event("text on the monitor changes again", TEXT_C));

    /** Windy spells: the hedge moves every second (the classic nuisance that passes a change gate). */
    static final int[][] WIND = {{900, 1020}, {2000, 2120}, {3200, 3320}};
    /** Light drifts: the room brightens and darkens again over a minute (a cloud, a lamp). */
    static final int[][] LIGHT = {{120, 180}, {1000, 1060}, {2700, 2760}};

    private final BufferedImage person;
    private final BufferedImage cup;
    private final BufferedImage cat;

    Recording() {
        person = scaled(TestImages.read("astronaut.png"), 420);
        cup = scaled(TestImages.read("coffee.png"), 260);
        cat = scaled(TestImages.read("chelsea.png"), 300);
    }

    static boolean windy(int t) {
        for (int[] w : WIND) {
            if (t >= w[0] && t < w[1]) {
                return true;
            }
        }
        return false;
    }

    private static double light(int t) {
        for (int[] l : LIGHT) {
            if (t >= l[0] && t < l[1]) {
                double phase = (t - l[0]) / (double) (l[1] - l[0]);
                return 1.0 + 0.3 * Math.sin(Math.PI * phase);
            }
        }
        return 1.0;
    }

    /** Frame {@code t} (second of the recording), BGR. */
    BufferedImage frame(int t) {
        BufferedImage f = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = f.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(158, 154, 146));
        g.fillRect(0, 0, WIDTH, 430);
        g.setColor(new Color(112, 104, 96));
        g.fillRect(0, 430, WIDTH, HEIGHT - 430);
        hedge(g, t);
        monitor(g, t);
        if (t >= CUP_ARRIVES) {
            int x = Math.max(880, WIDTH - 48 * (t - CUP_ARRIVES));
            g.drawImage(cup, x, 450, null);
        }
        if (t >= CAT_APPEARS && t < CAT_LEAVES) {
            g.drawImage(cat, 380, 390, null);
        }
        if (t >= PERSON_ENTERS && t < PERSON_ENTERS + 24) {
            g.drawImage(person, -250 + 80 * (t - PERSON_ENTERS), 280, null);
        }
        g.dispose();
        return grade(f, light(t), new Random(t * 7919L));
    }

    private static void hedge(Graphics2D g, int t) {
        // a bush left of the wall, still unless windy: the leaves' pattern (sun and shade) depends on the second
        // only while the wind blows
        Random r = new Random(windy(t) ? 1000 + t : 1);
        g.setColor(new Color(40, 70, 34));
        g.fillRect(0, 170, 420, 260);
        for (int i = 0; i < 420; i++) {
            boolean sun = r.nextInt(3) == 0;
            g.setColor(sun ? new Color(110 + r.nextInt(60), 170 + r.nextInt(60), 70 + r.nextInt(40))
                    : new Color(15 + r.nextInt(30), 40 + r.nextInt(40), 12 + r.nextInt(25)));
            g.fillOval(r.nextInt(430) - 15, 160 + r.nextInt(270), 18 + r.nextInt(26), 14 + r.nextInt(20));
        }
    }

    private static void monitor(Graphics2D g, int t) {
        String[] lines = t < TEXT_B ? new String[] {"BUILD 2041 PASSED", "DEPLOY AT 14:00"}
                : t < TEXT_C ? new String[] {"BUILD 2042 FAILED", "TESTS: 3 BROKEN"}
                : new String[] {"MEETING ROOM", "FRIDAY 3 PM"};
        g.setColor(new Color(20, 20, 24));
        g.fillRect(640, 20, 620, 270);
        g.setColor(new Color(22, 30, 48));
        g.fillRect(652, 32, 596, 246);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 60));
        for (int i = 0; i < lines.length; i++) {
            g.drawString(lines[i], 672, 125 + 100 * i);
        }
    }

    private static final byte[] NOISE = noise();

    private static byte[] noise() {
        byte[] n = new byte[WIDTH * HEIGHT * 3 + 65_536];
        Random r = new Random(42);
        for (int i = 0; i < n.length; i++) {
            n[i] = (byte) (r.nextInt(7) - 3);
        }
        return n;
    }

    /** Brightness factor plus sensor noise (a few grey levels per pixel, a different pattern every frame). */
    private static BufferedImage grade(BufferedImage f, double gain, Random noise) {
        byte[] px = ((java.awt.image.DataBufferByte) f.getRaster().getDataBuffer()).getData();
        int[] lut = new int[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = (int) Math.round(v * gain);
        }
        int offset = noise.nextInt(65_536);
        for (int i = 0; i < px.length; i++) {
            int v = lut[px[i] & 0xff] + NOISE[offset + i];
            px[i] = (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
        }
        return f;
    }

    private static BufferedImage scaled(BufferedImage src, int height) {
        int w = (int) Math.round(src.getWidth() * (height / (double) src.getHeight()));
        BufferedImage out = new BufferedImage(w, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, height, null);
        g.dispose();
        return out;
    }
}
