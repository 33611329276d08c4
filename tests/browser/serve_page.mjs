// Opens the page of a running `pipejudge serve` in headless Chromium:
// picks the problem, uploads ACCEPTED (a file: the language follows from
// its extension) and submits it, waits for its verdict, then pastes WRONG
// into the editor with LANGUAGE and submits it; records how the rows of
// the tests changed, reads the recent submissions, takes a screenshot.
// Prints the facts as JSON.
// Then a source that does not compile (BROKEN, in C++): its compiler output.
// Usage: node serve_page.mjs URL SCREENSHOT.PNG PROBLEM ACCEPTED WRONG LANGUAGE BROKEN
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [url, shot, problem, accepted, wrong, wrong_language, broken] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url);
  await page.locator(`#problem option[value="${problem}"]`).waitFor({ state: "attached" });
  await page.selectOption("#problem", problem);
  const problem_info = await page.locator("#problem-info").innerText();
  // Every change of a test's row and of the verdict, in order, as it happens.
  await page.evaluate(() => {
    window.changes = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target;
        if (el.matches?.("tr.test") && el.dataset.verdict)
          window.changes.push(`test ${el.dataset.index} ${el.dataset.verdict}`);
        if (el.id === "verdict" && el.dataset.verdict)
          window.changes.push(`verdict ${el.dataset.verdict}`);
      }
    }).observe(document.body, { subtree: true, attributes: true,
                                attributeFilter: ["data-verdict"] });
  });

  async function judged() {
    await page.locator("#verdict[data-verdict]").waitFor({ timeout: 120000 });
    const id = await page.locator("#live-id").innerText();
    const rows = await page.locator("#tests tr.test").evaluateAll((trs) => trs.map((tr) => ({
      name: tr.children[1].textContent, verdict: tr.children[2].textContent, class: tr.className,
    })));
    const changes = await page.evaluate(() => window.changes.splice(0));
    return { id, verdict: await page.locator("#verdict").getAttribute("data-verdict"),
             status: await page.locator("#live-status").innerText(), rows, changes };
  }

  await page.setInputFiles("#upload", accepted);
  await page.waitForFunction(() => document.querySelector("#source").value.length > 0);
  const uploaded_language = await page.locator("#language").inputValue();
  await page.click("#submit");
  const first = await judged();

  await page.fill("#source", readFileSync(wrong, "utf8"));
  await page.setInputFiles("#upload", []);
  await page.selectOption("#language", wrong_language);
  await page.click("#submit");
  await page.locator(`#live-id:not(:text-is("${first.id}"))`).waitFor();
  const second = await judged();

  // The screenshot shows the two judged ones; then the one that does not compile.
  for (const id of [first.id, second.id])
    await page.locator(`#recent tr[data-id="${id}"] .verdict[data-verdict]`).waitFor();
  await page.screenshot({ path: shot, fullPage: true });

  await page.fill("#source", readFileSync(broken, "utf8"));
  await page.selectOption("#language", "cpp");
  await page.click("#submit");
  await page.locator(`#live-id:not(:text-is("${second.id}"))`).waitFor();
  const third = await judged();
  const compile_output_shown = await page.locator("#compile").isVisible();
  const compile_output = await page.locator("#compile-output").innerText();

  for (const id of [first.id, second.id, third.id])
    await page.locator(`#recent tr[data-id="${id}"] .verdict[data-verdict]`).waitFor();
  const recent = await page.locator("#recent tbody tr").evaluateAll((trs) => trs.map((tr) => ({
    id: tr.dataset.id, verdict: tr.querySelector(".verdict").dataset.verdict ?? null,
  })));
  console.log(JSON.stringify({ problem_info, uploaded_language, first, second, third,
                               compile_output_shown, compile_output, recent, errors }));
} finally {
  await browser.close();
}
