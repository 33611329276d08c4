// Opens a `pipejudge grade` report (index.html) in headless Chromium: counts
// the grid's cells, sorts by the total twice (ascending), clicks a cell and
// reads the submission shown, takes a screenshot. Prints the facts as JSON.
// Usage: node grade_report.mjs INDEX.HTML SCREENSHOT.PNG STUDENT PROBLEM
import { chromium } from "playwright-core";

const [page_path, shot, student, problem] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("file://" + page_path);
  const cells = await page.locator("td.cell").count();
  const rows = await page.locator("tbody tr.student").count();
  const first_by_name = await page.locator("tbody tr.student td.name").first().innerText();
  await page.locator('th[data-key="total"]').click();
  await page.locator('th[data-key="total"]').click();
  const first_by_total_ascending = await page.locator("tbody tr.student td.name").first().innerText();
  await page.locator(`td.cell[data-student="${student}"][data-problem="${problem}"]`).click();
  const detail = await page.locator("#detail").innerText();
  await page.screenshot({ path: shot, fullPage: true });
  console.log(JSON.stringify({ cells, rows, first_by_name, first_by_total_ascending, detail, errors }));
} finally {
  await browser.close();
}
