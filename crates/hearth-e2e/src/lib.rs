//! Browser tests of Hearth (see `tests/`): the real application served on 127.0.0.1, headless
//! Chromium driven through chromedriver, one whole winter walked through the pages with
//! screenshots of each step in `target/e2e/`. The library itself is empty on purpose: the
//! WebDriver client is a dev-dependency, compiled only when these tests run.
