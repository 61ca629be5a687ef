/* Unit tests of the pack scripts' logic, run by tests/test_pack_js.py with `node --test`.
   The page scripts are loaded as the build joins them (js/core.js + js/today.js), up to the
   line that starts the page, with a small stand-in for the browser. */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const templates = path.join(__dirname, "..", "..", "site_templates");
const folder = path.join(templates, "packs", "js");
const START = "/* start (unit tests load everything above this line) */";

function load(part, calendar) {
  const source = fs.readFileSync(path.join(templates, "js", "clock.js"), "utf8") +
    fs.readFileSync(path.join(folder, "core.js"), "utf8") +
    fs.readFileSync(path.join(folder, part), "utf8").split(START)[0];
  const items = new Map();
  const localStorage = {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
  const qsData = {textContent: JSON.stringify({calendar: calendar || "launch", known: ["门店名", "门店电话"]})};
  const document = {currentScript: {src: "https://s/packs/pack.js"},
    getElementById: (id) => (id === "qs-data" ? qsData : null)};
  const make = new Function("document", "localStorage", "window",
    '"use strict";\n' + source +
    "\nreturn {startProblem, offerValues, readProfile, own, clean, ASK_KEY" +
    (part === "today.js" ? ", foldLine, personalIcs" : "") + "};");
  return {api: make(document, localStorage, {}), items};
}

const octets = (text) => Buffer.byteLength(text, "utf8");

test("a long line folds at 75 octets and unfolds to itself", () => {
  const {api} = load("today.js");
  for (const line of ["DESCRIPTION:" + "a".repeat(200), "DESCRIPTION:" + "天冷了，胎压会掉🚛".repeat(30)]) {
    const folded = api.foldLine(line).split("\r\n");
    assert.ok(folded.length > 1);
    folded.forEach((part, index) => {
      assert.ok(octets(part) <= 75, part);
      if (index) { assert.equal(part[0], " "); }
    });
    assert.equal(folded.map((part, index) => (index ? part.slice(1) : part)).join(""), line);
  }
});

test("the personal feed gets the group's dates and the store's details, escaped", () => {
  const {api} = load("today.js");
  const template = [
    "BEGIN:VEVENT",
    "UID:launch-{D+0001}-day-02-2000@qunsop",
    "DTSTART;TZID=Asia/Shanghai:{D+0002}T200000",
    "DTEND;TZID=Asia/Shanghai:{D+0003}T000500",
    "DESCRIPTION:在{门店名}免费测\\n{constructor}{门店电话}",
    "END:VEVENT", ""].join("\r\n");
  const filled = api.personalIcs(template, "2026-12-31", {"门店名": "老周轮胎, 高速口; 东"});
  const lines = filled.split("\r\n");
  assert.equal(lines[1], "UID:launch-20261231-day-02-2000@qunsop");
  assert.equal(lines[2], "DTSTART;TZID=Asia/Shanghai:20270101T200000");
  assert.equal(lines[3], "DTEND;TZID=Asia/Shanghai:20270102T000500");
  const description = filled.replace(/\r\n /g, "").split("\r\n")[4];
  // a comma and a semicolon in a value are escaped; an unknown or built-in name stays as written
  assert.equal(description, "DESCRIPTION:在老周轮胎\\, 高速口\\; 东免费测\\n{constructor}{门店电话}");
});

test("a start date is refused when it is not a date, in the future, or more than a year away", () => {
  const {api} = load("today.js");
  assert.equal(api.startProblem("2026-12-01", "2026-12-07"), "");
  assert.equal(api.startProblem("2025-12-07", "2026-12-07"), "");
  assert.match(api.startProblem("1900-01-01", "2026-12-07"), /^链接有误：建群日期离今天超过一年/);
  assert.match(api.startProblem("2025-12-05", "2026-12-07"), /^链接有误：/);
  assert.match(api.startProblem("2028-01-01", "2026-12-07"), /^链接有误：/);
  assert.match(api.startProblem("2026-12-08", "2026-12-07"), /^建群日期在今天之后/);
  for (const bad of ["2026-02-30", "", null, "<b>平台通知</b>", "2026-1-1"]) {
    const message = api.startProblem(bad, "2026-12-07");
    assert.match(message, /^链接有误：建群日期不对/);
    assert.ok(!String(message).includes("平台通知"));
  }
});

test("a pre-fill fills empty fields, never wipes, and asks before replacing", () => {
  const {api, items} = load("day.js", "week");
  items.set("qunsop:profile", JSON.stringify({"门店名": "老周轮胎"}));
  api.offerValues({"门店名": "", "门店电话": " 139 0000 1234 "});
  assert.deepEqual(api.readProfile(), {"门店名": "老周轮胎", "门店电话": "139 0000 1234"});
  assert.equal(items.get(api.ASK_KEY), undefined);
  api.offerValues({"门店名": "老王轮胎", "constructor": "x", "__proto__": "y", "群名": "老周车友1群"});
  assert.deepEqual(api.readProfile(), {"门店名": "老周轮胎", "门店电话": "139 0000 1234"});
  assert.deepEqual(JSON.parse(items.get("qunsop:group:week")), {"群名": "老周车友1群"});
  const ask = JSON.parse(items.get(api.ASK_KEY));
  assert.equal(ask.calendar, "week");
  assert.deepEqual(ask.items, [{where: "profile", name: "门店名", now: "老周轮胎", link: "老王轮胎"}]);
  assert.equal(api.own({}, "constructor"), "");
  assert.equal(api.clean("a\u202eb\u0000c"), "abc");
});
