package io.sightline.e2e;

import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyboard and contrast checks of the console, computed in the browser: which element has the focus and whether
 * its focus outline is visible (style, width, and 3:1 against what is behind it), and the WCAG 2 contrast ratio of
 * text against its effective background (the first opaque background up the tree, semi-transparent ones blended).
 */
final class ConsoleAccessibility {

    /** WCAG 2 relative luminance and contrast, and the effective background of an element, as page functions. */
    private static final String COLOUR_FUNCTIONS = """
            const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
              const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
            const blend = (top, under) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
            const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
              return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
            const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
            const background = (node) => { const layers = [];
              for (let n = node; n && n.nodeType === 1; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor);
                if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
              let bg = [255, 255, 255, 1]; for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg); return bg; };
            """;

    private ConsoleAccessibility() {
    }

    /** Presses keys (Tab, Shift+Tab, Enter, text) as a keyboard would, on whatever has the focus. */
    static void press(ConsoleInChromium browser, CharSequence... keys) {
        new Actions(browser.driver()).sendKeys(keys).perform();
    }

    static void shiftTab(ConsoleInChromium browser) {
        new Actions(browser.driver()).keyDown(Keys.SHIFT).sendKeys(Keys.TAB).keyUp(Keys.SHIFT).perform();
    }

    /**
     * The focused element ({@code id}, {@code page} = data-page, {@code text}, {@code tag}) and its focus outline:
     * {@code outline} (style), {@code width} (px), {@code contrast} of the outline colour against the background
     * behind the element.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> focused(ConsoleInChromium browser) {
        return (Map<String, Object>) browser.script(COLOUR_FUNCTIONS + """
                const e = document.activeElement; const s = getComputedStyle(e);
                return { tag: e.tagName.toLowerCase(), id: e.id || '', page: e.dataset.page || '', action: e.dataset.action || '',
                  text: (e.innerText || e.value || '').trim().slice(0, 60), outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
                  contrast: ratio(parse(s.outlineColor), background(e.parentElement || e)), focusVisible: e.matches(':focus-visible') };
                """);
    }

    /** Asserts the focused element shows a focus outline a person can see: solid-ish, at least 2 px, 3:1 against its surroundings. */
    static Map<String, Object> assertVisibleFocus(ConsoleInChromium browser, String what) {
        Map<String, Object> f = focused(browser);
        assertThat(f.get("outline")).as("focus outline style of " + what + " " + f).isNotEqualTo("none");
        assertThat(((Number) f.get("width")).doubleValue()).as("focus outline width of " + what + " " + f).isGreaterThanOrEqualTo(2);
        assertThat(((Number) f.get("contrast")).doubleValue()).as("focus outline contrast of " + what + " " + f).isGreaterThanOrEqualTo(3);
        return f;
    }

    /**
     * Every visible text of the page's body text, nav links, buttons, labels, muted and badge text, table cells and
     * command lines whose contrast against its effective background is below WCAG AA: 4.5:1 for normal text, 3:1 for
     * large text (24 px, or 18.66 px bold). Disabled controls are exempt (WCAG 1.4.3). Answers "selector: ratio" lines.
     */
    @SuppressWarnings("unchecked")
    static List<String> contrastFailures(ConsoleInChromium browser) {
        return (List<String>) browser.script(COLOUR_FUNCTIONS + """
                const picked = 'body, p, li, dt, dd, td, th, h1, h2, label, summary, span, strong, a, button, pre, code, .muted, .badge, .error, #nav a';
                const failures = []; let checked = 0;
                for (const e of document.querySelectorAll(picked)) {
                  if (!e.offsetParent && getComputedStyle(e).position !== 'fixed') continue;
                  if (e.disabled || e.closest('[disabled]')) continue;
                  const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
                  if (!own) continue;
                  const s = getComputedStyle(e); if (s.visibility === 'hidden' || parseFloat(s.opacity) === 0) continue;
                  const bg = background(e); const fg = blend(parse(s.color), bg);
                  const size = parseFloat(s.fontSize); const bold = parseInt(s.fontWeight, 10) >= 700;
                  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
                  const r = ratio(fg, bg); checked++;
                  if (r < need) failures.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
                    + ' "' + e.textContent.trim().slice(0, 30) + '": ' + r.toFixed(2) + ' < ' + need + ' (' + s.color + ' on rgb(' + bg.slice(0, 3).map(Math.round) + '))');
                }
                if (checked === 0) failures.push('no text checked at all');
                return failures;
                """);
    }
}
