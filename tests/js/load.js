/* Loads qunsop's browser scripts into Node for the unit tests, as the build joins them
   (generator/render.py `script_bundle`: source parts in one function scope), with small
   stand-ins for the browser. Nothing in the shipped scripts exists for the tests: a page
   script is read up to the line that starts the page, and the names a test wants are
   returned from that scope. */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const TEMPLATES = path.join(__dirname, "..", "..", "site_templates");
const START = "/* start (unit tests load everything above this line) */";

/* A Date whose "now" is `iso`; parsing and arithmetic are Date's own. */
function fixedDate(iso) {
  const now = Date.parse(iso);
  if (Number.isNaN(now)) { throw new Error("not a time: " + iso); }
  return class FixedDate extends Date {
    constructor(...args) { if (args.length) { super(...args); } else { super(now); } }
    static now() { return now; }
  };
}

/* localStorage over a Map the test can read and preset */
function storage(preset) {
  const items = new Map(Object.entries(preset || {}));
  return {
    items,
    api: {
      getItem: (key) => (items.has(key) ? items.get(key) : null),
      setItem: (key, value) => items.set(key, String(value)),
      removeItem: (key) => items.delete(key),
    },
  };
}

/* `parts`: source files under site_templates/; `names`: what to return from their scope;
   `data`: the page's qs-data; `now`: the clock (ISO time); `stored`: localStorage. */
function loadScript(parts, names, {data = {}, now = "2026-12-07T02:00:00Z", stored = {}} = {}) {
  const source = parts.map((part) => fs.readFileSync(path.join(TEMPLATES, part), "utf8").split(START)[0]).join("");
  const {items, api: localStorage} = storage(stored);
  const qsData = {textContent: JSON.stringify(data)};
  const document = {currentScript: {src: "https://s/packs/pack.js"},
    getElementById: (id) => (id === "qs-data" ? qsData : null)};
  const make = new Function("document", "localStorage", "window", "Date",
    '"use strict";\n' + source + "\nreturn {" + names.join(", ") + "};");
  return {api: make(document, localStorage, {}, fixedDate(now)), items};
}

module.exports = {TEMPLATES, fixedDate, loadScript};
