/* The shared clock (site_templates/js/clock.js): the one todayIn of every page script. */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {loadScript} = require("./load.js");

const clockAt = (now) => loadScript(["js/clock.js"], ["todayIn", "addDays", "daysBetween"], {now}).api;

test("today is the date and time in the playbook's zone, not the phone's or UTC", () => {
  const clock = clockAt("2026-12-07T16:30:00Z");
  assert.deepEqual(clock.todayIn("Asia/Shanghai"), {date: "2026-12-08", time: "00:30"});
  assert.deepEqual(clock.todayIn("America/Los_Angeles"), {date: "2026-12-07", time: "08:30"});
  assert.deepEqual(clock.todayIn("UTC"), {date: "2026-12-07", time: "16:30"});
});

test("midnight is 00:00 of the new day and the last minute 23:59 of the old", () => {
  assert.deepEqual(clockAt("2026-12-31T16:00:00Z").todayIn("Asia/Shanghai"), {date: "2027-01-01", time: "00:00"});
  assert.deepEqual(clockAt("2026-12-31T15:59:59Z").todayIn("Asia/Shanghai"), {date: "2026-12-31", time: "23:59"});
});

test("a missing or unknown zone is read as Asia/Shanghai", () => {
  const clock = clockAt("2026-12-07T16:30:00Z");
  for (const zone of [undefined, null, "", "Mars/Olympus"]) {
    assert.deepEqual(clock.todayIn(zone), {date: "2026-12-08", time: "00:30"}, String(zone));
  }
});

test("day arithmetic crosses months, years and leap days", () => {
  const clock = clockAt("2026-12-07T02:00:00Z");
  assert.equal(clock.addDays("2026-12-31", 1), "2027-01-01");
  assert.equal(clock.addDays("2028-02-28", 1), "2028-02-29");
  assert.equal(clock.addDays("2027-03-01", -1), "2027-02-28");
  assert.equal(clock.addDays("2026-12-07", 0), "2026-12-07");
  assert.equal(clock.daysBetween("2026-12-01", "2027-01-01"), 31);
  assert.equal(clock.daysBetween("2027-01-01", "2026-12-01"), -31);
  assert.equal(clock.daysBetween("2028-02-28", "2028-03-01"), 2);
});

test("todayIn is defined once, in js/clock.js, for every script that reads the clock", () => {
  const fs = require("node:fs");
  const path = require("node:path");
  const {TEMPLATES} = require("./load.js");
  const found = [];
  const walk = (folder) => fs.readdirSync(folder, {withFileTypes: true}).forEach((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) { walk(file); return; }
    if (!/\.(js|j2|html)$/.test(entry.name) || entry.name.endsWith(".min.js")) { return; }
    const text = fs.readFileSync(file, "utf8");
    if (/function todayIn\b|new Date\(\)|Date\.now\(\)/.test(text)) { found.push(path.relative(TEMPLATES, file)); }
  });
  walk(TEMPLATES);
  assert.deepEqual(found, [path.join("js", "clock.js")]);
});
