package io.sightline.e2e;

import io.sightline.testsupport.TestAssets;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium} + {@code chromium-driver}, driven by
 * Selenium), against the gateway of the running end-to-end stack. Screenshots of every page go to
 * {@code target/console-screenshots/}; every browser console error fails the test, except failed requests to routes
 * this stack does not serve on purpose ({@link #EXPECTED_FAILURES}).
 */
final class ConsoleInChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /**
     * Requests that fail on this stack by design: the forged admin requests and the request made after signing out
     * are refused on purpose.
     */
    private static final List<String> EXPECTED_FAILURES = List.of("/api/v1/cameras/forged", "/api/v1/me");

    private final String baseUrl;
    private final WebDriver driver;
    private final Path screenshots;
    private final List<String> consoleErrors = new ArrayList<>();

    private ConsoleInChromium(String baseUrl, WebDriver driver, Path screenshots) {
        this.baseUrl = baseUrl;
        this.driver = driver;
        this.screenshots = screenshots;
    }

    static ConsoleInChromium open(String baseUrl, Path screenshots) throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw TestAssets.unavailable("Debian chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        }
        Files.createDirectories(screenshots);
        for (String stale : List.of("failure.png", "failure.html", "failure-browser.log")) {
            Files.deleteIfExists(screenshots.resolve(stale));
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=en-US");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return new ConsoleInChromium(baseUrl, driver, screenshots);
    }

    WebDriver driver() {
        return driver;
    }

    /** Loads the console's first screen; answers how long until it was ready (navigation start to sign-in form shown). */
    double openFirstScreen() {
        driver.get(baseUrl + "/");
        return readyAt();
    }

    /** Reloads the page; answers how long until the first screen was ready again (assets revalidated, not re-sent). */
    double reloadFirstScreen() {
        driver.navigate().refresh();
        return readyAt();
    }

    private double readyAt() {
        await("first screen").atMost(Duration.ofSeconds(20)).until(() -> visible(By.id("api-key"))
                && js().executeScript("return window.sightlineReadyAt") != null);
        return ((Number) js().executeScript("return window.sightlineReadyAt")).doubleValue();
    }

    void signIn(String key) {
        WebElement input = driver.findElement(By.id("api-key"));
        input.clear();
        // submitted from the keyboard, as a person would
        input.sendKeys(key, Keys.ENTER);
        await("signed in").atMost(Duration.ofSeconds(20)).until(() -> visible(By.id("signout")));
    }

    void signOut() {
        driver.findElement(By.id("signout")).click();
        await("signed out").atMost(Duration.ofSeconds(20)).until(() -> visible(By.id("api-key")));
    }

    void go(String hash) {
        driver.get(baseUrl + "/#/" + hash);
        await("page " + hash).atMost(Duration.ofSeconds(20)).until(() -> visible(By.id("signout"))
                && hash.startsWith(String.valueOf(driver.findElement(By.id("view")).getDomAttribute("data-page"))));
    }

    boolean visible(By by) {
        List<WebElement> found = driver.findElements(by);
        return !found.isEmpty() && found.get(0).isDisplayed();
    }

    String text(By by) {
        List<WebElement> found = driver.findElements(by);
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    void type(By by, String text) {
        WebElement input = driver.findElement(by);
        input.clear();
        input.sendKeys(text);
    }

    void select(By by, String value) {
        new Select(driver.findElement(by)).selectByValue(value);
    }

    /** Whether an image element shows a loaded picture. */
    boolean showsImage(By by) {
        List<WebElement> found = driver.findElements(by);
        return !found.isEmpty() && found.get(0).isDisplayed()
                && ((Number) js().executeScript("return arguments[0].complete ? arguments[0].naturalWidth : 0", found.get(0))).intValue() > 0;
    }

    /** Runs a fetch in the page (with the page's cookie) and answers the HTTP status. */
    int fetchStatus(String method, String path, String body, boolean withCsrf) {
        Object status = js().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                (async () => {
                  const s = await (await fetch('/console/session', {cache: 'no-store'})).json();
                  const headers = {'Content-Type': 'application/json'};
                  if (arguments[3]) headers['X-CSRF-Token'] = s.csrf_token;
                  const r = await fetch(arguments[1], {method: arguments[0], headers, body: arguments[2] || undefined});
                  done(r.status);
                })().catch(e => done(-1));
                """, method, path, body, withCsrf);
        return ((Number) status).intValue();
    }

    Object script(String script, Object... args) {
        return js().executeScript(script, args);
    }

    void screenshot(String name) throws IOException {
        collectConsoleErrors();
        // every visible input has a label, every image an alt text
        Object unlabelled = js().executeScript("""
                return [...document.querySelectorAll('input, select, textarea')]
                  .filter(i => i.offsetParent !== null && !(i.labels && i.labels.length) && !i.getAttribute('aria-label')).map(i => i.id)
                  .concat([...document.querySelectorAll('img')].filter(i => !i.getAttribute('alt')).map(i => 'img ' + i.src));
                """);
        assertThat((List<?>) unlabelled).as("inputs without label, images without alt on " + name).isEmpty();
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), screenshots.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Every browser console error so far that is not an expected refused request. */
    List<String> consoleErrors() {
        collectConsoleErrors();
        return List.copyOf(consoleErrors);
    }

    private void collectConsoleErrors() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() < Level.SEVERE.intValue()) {
                continue;
            }
            String message = entry.getMessage();
            boolean expected = EXPECTED_FAILURES.stream().anyMatch(message::contains)
                    && message.contains("Failed to load resource");
            if (!expected) {
                consoleErrors.add(message);
            }
        }
    }

    private JavascriptExecutor js() {
        return (JavascriptExecutor) driver;
    }

    /** After a failure: what the page showed, its DOM and the browser log, for the report. */
    void saveFailure() {
        try {
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), screenshots.resolve("failure.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            StringBuilder log = new StringBuilder();
            driver.manage().logs().get(LogType.BROWSER).forEach(e -> log.append(e.getLevel()).append(' ').append(e.getMessage()).append('\n'));
            consoleErrors.forEach(e -> log.append("SEVERE(earlier) ").append(e).append('\n'));
            Files.writeString(screenshots.resolve("failure-browser.log"), log);
            Files.writeString(screenshots.resolve("failure.html"), driver.getPageSource());
        } catch (RuntimeException | IOException e) {
            // the failure itself is what the test reports
        }
    }

    @Override
    public void close() {
        driver.quit();
    }

    static void assertNoConsoleErrors(ConsoleInChromium browser) {
        assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
    }
}
