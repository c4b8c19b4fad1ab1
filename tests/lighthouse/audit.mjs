// Lighthouse's accessibility category for each address and each run given in a JSON file; prints JSON.
// One Chromium for every audit (starting one per page would double the time).
import fs from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
const found = [];
try {
  for (const run of plan.runs) {
    for (const url of plan.urls) {
      const flags = {
        port: chrome.port,
        onlyCategories: ["accessibility"],
        output: "json",
        logLevel: "error",
        maxWaitForLoad: 90000,
        extraHeaders: run.cookie ? { Cookie: run.cookie } : undefined,
      };
      const { lhr } = await lighthouse(url, flags, run.desktop ? desktopConfig : undefined);
      const category = lhr.categories.accessibility;
      const failing = category.auditRefs
        .map((ref) => lhr.audits[ref.id])
        .filter((audit) => audit.score !== null && audit.score < 1)
        .map((audit) => audit.id);
      found.push({ url, run: run.name, score: category.score, failing, error: lhr.runtimeError?.message });
    }
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(found));
