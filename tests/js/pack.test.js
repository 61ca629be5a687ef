/* Unit tests of the pack scripts' logic under Node's own runner (scripts/test.sh runs
   `node --test tests/js/*.test.js`). The scripts are loaded as the build joins them
   (js/clock.js + packs/js/core.js + packs/js/day.js or today.js), up to the line that
   starts the page (tests/js/load.js). */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const {loadScript} = require("./load.js");

const CORE = ["startProblem", "offerValues", "readProfile", "readGroup", "own", "clean", "ASK_KEY"];
const PAGE = {"day.js": ["dueTime", "isToday"], "today.js": ["icsText", "foldLine", "personalIcs"]};
const FIXTURES = path.join(__dirname, "fixtures");

function load(part, options) {
  const data = Object.assign({calendar: "launch", known: ["门店名", "门店电话"]}, (options || {}).data);
  return loadScript(["js/clock.js", "packs/js/core.js", "packs/js/" + part], CORE.concat(PAGE[part]),
    Object.assign({}, options, {data}));
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
  const {api, items} = load("day.js", {data: {calendar: "week"}});
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

/* --- the store profile: what the phone saved, never anything else --- */

test("a profile that is missing, broken or not an object reads as empty", () => {
  for (const stored of [undefined, "", "not json", "[\"老周轮胎\"]", "\"老周轮胎\"", "null", "42"]) {
    const {api} = load("day.js", {stored: stored === undefined ? {} : {"qunsop:profile": stored}});
    assert.deepEqual(api.readProfile(), {}, String(stored));
  }
  const {api} = load("day.js", {stored: {"qunsop:profile": JSON.stringify({"门店名": "老周轮胎", "门店电话": 139})}});
  const profile = api.readProfile();
  assert.equal(api.own(profile, "门店名"), "老周轮胎");
  assert.equal(api.own(profile, "门店电话"), "");  // a number is not a saved text
  assert.equal(api.own(profile, "toString"), "");  // nor is anything inherited
});

test("a pre-fill link fills an empty profile and the group of its calendar only", () => {
  const {api, items} = load("day.js", {data: {calendar: "launch"}});
  api.offerValues({"门店名": " 老周轮胎\u200b ", "门店电话": "", "群名": "老周车友1群", "群编号": "G-01", "别的": "x"});
  assert.deepEqual(api.readProfile(), {"门店名": "老周轮胎"});
  assert.deepEqual(api.readGroup(), {"群名": "老周车友1群", "群编号": "G-01"});
  assert.equal(items.get("qunsop:group:week"), undefined);
  assert.equal(items.get(api.ASK_KEY), undefined);  // nothing to ask: nothing was replaced
  assert.equal(api.clean("x".repeat(80)).length, 60);
});

/* --- 现在该发: the item due now, on today's pack only --- */

test("the item due is the latest whose time has come; none before the first", () => {
  const {api} = load("day.js");
  const times = ["10:00", "21:00", "20:00", "20:00"];
  assert.equal(api.dueTime(times, "09:59"), "");
  assert.equal(api.dueTime(times, "10:00"), "10:00");  // due from its own minute
  assert.equal(api.dueTime(times, "19:59"), "10:00");
  assert.equal(api.dueTime(times, "20:30"), "20:00");  // across channels, not in page order
  assert.equal(api.dueTime(times, "23:59"), "21:00");
  assert.equal(api.dueTime([], "12:00"), "");
});

test("a dated day is today on its date in the playbook's zone, not in UTC", () => {
  const data = {dated: true, date: "2026-12-08", timezone: "Asia/Shanghai"};
  assert.equal(load("day.js", {data, now: "2026-12-07T16:00:00Z"}).api.isToday(), true);  // 00:00 in Shanghai
  assert.equal(load("day.js", {data, now: "2026-12-07T15:59:00Z"}).api.isToday(), false);
  assert.equal(load("day.js", {data, now: "2026-12-08T16:00:00Z"}).api.isToday(), false);
});

test("a day-N day is today when the saved start date makes it so, and never with a bad start", () => {
  const data = {dated: false, number: 2, calendar: "launch", timezone: "Asia/Shanghai"};
  const at = (start, now) => load("day.js", {data, now, stored: start ? {"qunsop:start:launch": start} : {}}).api.isToday();
  assert.equal(at("2026-12-06", "2026-12-07T02:00:00Z"), true);  // day 1 was yesterday
  assert.equal(at("2026-12-07", "2026-12-07T02:00:00Z"), false);  // today is day 1
  assert.equal(at("2026-12-06", "2026-12-06T15:59:00Z"), false);  // still day 1 in Shanghai
  assert.equal(at("2026-12-06", "2026-12-06T16:00:00Z"), true);
  assert.equal(at(null, "2026-12-07T02:00:00Z"), false);
  assert.equal(at("2026-12-08", "2026-12-09T02:00:00Z"), true);
  assert.equal(at("2026-13-01", "2026-12-07T02:00:00Z"), false);
});

/* --- the personal calendar: the build writes the events, the phone fills in dates --- */

const feed = fs.readFileSync(path.join(FIXTURES, "personal-ics.txt"), "utf8");
const rules = JSON.parse(fs.readFileSync(path.join(FIXTURES, "ics_text.json"), "utf8"));

test("the phone escapes and folds exactly as the build's writer does", () => {
  const {api} = load("today.js");
  assert.ok(rules.escaped.length >= 4 && rules.folded.length >= 6);
  for (const [text, escaped] of rules.escaped) { assert.equal(api.icsText(text), escaped); }
  for (const [line, folded] of rules.folded) { assert.equal(api.foldLine(line), folded); }
});

test("with no store details the phone only fills in the dates of the build's feed", () => {
  const {api} = load("today.js");
  assert.match(feed, /\{D\+0002\}/);  // the fixture is a day-N feed written by the build
  const filled = api.personalIcs(feed, "2026-12-31", {});
  const dates = {"0001": "20261231", "0002": "20270101", "0003": "20270102"};
  assert.equal(filled, feed.replace(/\{D\+(\d{4})\}/g, (token, number) => dates[number]));
  assert.ok(!filled.includes("{D+"));
  assert.match(filled, /\r\nDTSTART;TZID=Asia\/Shanghai:20270101T200000\r\n/);
  assert.match(filled, /\r\nUID:launch-20261231-day-02-2000-group-warmup@qunsop\r\n/);
});

test("a store's details go into the feed's text, escaped and folded, and nowhere else changes", () => {
  const {api} = load("today.js");
  const store = "老周轮胎（高速口东，24 小时营业）, 电话 139; 欢迎";
  const filled = api.personalIcs(feed, "2026-12-31", {"门店名": store});
  for (const line of filled.split("\r\n")) { assert.ok(Buffer.byteLength(line, "utf8") <= 75, line); }
  const unfold = (text) => text.replace(/\r\n /g, "").split("\r\n");
  const before = unfold(api.personalIcs(feed, "2026-12-31", {})), after = unfold(filled);
  assert.equal(after.length, before.length);
  const changed = after.filter((line, index) => line !== before[index]);
  assert.deepEqual(changed, [
    "DESCRIPTION:天冷了，胎压会掉，出车前在老周轮胎（高速口东，24 小时营业）\\, 电话 139\\; 欢迎免费测一下 🚛",
    "DESCRIPTION:最后一天！今天打卡就算坚持下来了，到老周轮胎（高速口东，24 小时营业）\\, 电话 139\\; 欢迎领小礼品。"]);
});
