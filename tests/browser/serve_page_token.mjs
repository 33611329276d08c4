// Opens the page of a `pipejudge serve` that requires an auth token: the
// page loads without one, asks for it, and once it is typed in lists the
// problems and judges a submission (SOURCE, in LANGUAGE) to its verdict.
// Prints the facts as JSON.
// Usage: node serve_page_token.mjs URL TOKEN PROBLEM SOURCE LANGUAGE
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [url, token, problem, source, language] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.locator("#token").waitFor({ state: "visible" });
  const problems_before = await page.locator("#problem option").count();
  await page.fill("#token", token);
  await page.locator("#token").dispatchEvent("change");
  await page.locator(`#problem option[value="${problem}"]`).waitFor({ state: "attached" });
  await page.selectOption("#problem", problem);
  await page.selectOption("#language", language);
  await page.fill("#source", readFileSync(source, "utf8"));
  await page.click("#submit");
  await page.locator("#verdict[data-verdict]").waitFor({ timeout: 120000 });
  const verdict = await page.locator("#verdict").getAttribute("data-verdict");
  const rows = await page.locator("#tests tr.test.pass").count();
  const stored = await page.evaluate(() => localStorage.getItem("pipejudge-token"));
  console.log(JSON.stringify({ problems_before, verdict, rows, token_kept: stored !== null,
                               errors }));
} finally {
  await browser.close();
}
