/* Unit tests of qunsop's search worker (site_templates/search/worker.js.j2) under Node's own
   runner: the template filled with small word lists, run as the browser runs it, over a small
   index qunsop's own code wrote (fixtures/search_index.json, made by make_search_index.py). */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const {TEMPLATES} = require("./load.js");

const WORDS = {
  question_words: ["怎么办", "怎么", "什么", "的"],
  synonyms: {"冷群": ["冷场"], "冷场": ["冷群"]},
  common_words: ["群里", "一下"],
  collections: ["library/"],
};
const INDEX = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "search_index.json"), "utf8"));

/* The worker as the build renders it, with WORDS for the template's values; started with the
   fixture index through the theme's setup message. */
function startWorker() {
  const template = fs.readFileSync(path.join(TEMPLATES, "search", "worker.js.j2"), "utf8");
  const source = template.replace(/\{\{\s*(\w+)\s*\|\s*tojson\s*\}\}/g, (match, name) => {
    assert.ok(Object.hasOwn(WORDS, name), "the template asks for " + name);
    return JSON.stringify(WORDS[name]);
  });
  assert.ok(!/\{\{|\{%/.test(source), "every template value is filled");
  const sent = [];
  let listener = null;
  const context = {
    module: {exports: null}, URL, console,
    self: {location: {href: "http://127.0.0.1/assets/javascripts/workers/search.js"}},
    addEventListener: (type, handler) => { listener = handler; },
    postMessage: (message) => sent.push(message),
    fetch: () => Promise.reject(new Error("no network in tests: the index is inline")),
  };
  vm.createContext(context);
  vm.runInContext(source, context);
  listener({data: {type: 0, data: {config: INDEX.config, docs: INDEX.docs}}});
  assert.deepEqual(plain(sent), [{type: 1}]);  // READY
  // the worker's values are made in its own context: compared here as plain data
  const parts = {};
  for (const [name, part] of Object.entries(context.module.exports)) {
    parts[name] = (...args) => {
      const value = part(...args);
      return value !== null && typeof value === "object" && typeof value.then === "function" ? value.then(plain) : plain(value);
    };
  }
  return parts;
}
const plain = (value) => JSON.parse(JSON.stringify(value));

const worker = startWorker();
const search = async (query) => (await worker.search(query)).items;
const locations = (groups) => groups.map((group) => group[0].location);

/* --- reading the query --- */

test("a query is read as the theme reads it: prefixes, +required, -excluded, quoted", () => {
  const clauses = (query) => worker.clausesOf(query).map((c) => [c.term, c.presence, c.wildcard]);
  assert.deepEqual(clauses("Tyre +pressure -quiz"),
    [["tyre", 1, "trailing"], ["pressure", 2, ""], ["quiz", 3, ""]]);
  assert.deepEqual(clauses('"tyre quiz" check'), [["tyre", 2, ""], ["quiz", 2, ""], ["check", 1, "trailing"]]);
  assert.deepEqual(clauses("title:tyre^10 *sure"), [["tyre", 1, "trailing"], ["sure", 1, "leading"]]);
  assert.deepEqual(clauses("  +  -  "), []);
  const long = worker.clausesOf("a".repeat(300));
  assert.equal(long.length, 1);
  assert.equal(long[0].term.length, 200);  // a query is read up to its 200th character
});

test("Chinese typed without spaces is split by known words, question words dropped, synonyms added", async () => {
  await search("预热");  // the vocabulary arrives with the manifest
  assert.deepEqual(worker.expand("冷群怎么办"), ["冷群", "冷场"]);
  assert.deepEqual(worker.expand("司机骂人"), ["司机", "骂人"]);
  assert.deepEqual(worker.expand("怎么办"), ["怎么办"]);  // nothing else: the question stays
  assert.deepEqual(worker.clausesOf("冷群怎么办").map((c) => c.term), ["冷群", "冷场"]);
});

test("a term's shard is the build's FNV-1a over UTF-16 code units", () => {
  // the numbers generator/search_index.py shard_of gives
  const python = {"": [18652613, 2], "a": [604776748, 5], "红包": [75737696, 2], "tyre": [1025725603, 0], "群里": [808363245, 6],
    "🚛": [372416393, 0]};  // an astral character: two UTF-16 units
  for (const [term, [big, seven]] of Object.entries(python)) {
    assert.equal(worker.shardOf(term, 1 << 30), big, term);
    assert.equal(worker.shardOf(term, 7), seven, term);
  }
});

/* --- scoring against the fixture index --- */

test("a word's score is lunr's BM25 with the field and page boosts, then the theme's page boost", async () => {
  const [group] = await search("quiz");
  const entries = INDEX.config.qunsop.inline["manifest.json"].docs.length;
  const found = 2;  // entries × fields holding "quiz": one entry, in its title and its text
  const idf = Math.log(1 + Math.abs((entries - found + 0.5) / (found + 0.5)));
  const field = (boost) => Math.round(idf * (2.2 * 1) / (1.2 + 1) * boost * 2 * 1000) / 1000;  // page boost 2
  // a whole page (+1) with every word found (+1): the score times 1 + 2²
  assert.equal(group[0].location, "games/tyre/");
  assert.equal(group[0].score, (field(1000) + field(1)) * 5);
  assert.deepEqual(group[0].terms, {quiz: true});
});

test("a page ranks above its own section, and a title hit above a text hit", async () => {
  const groups = await search("红包");
  // sop/cold/ holds 红包 in its text and its section; the library post has it in its title
  assert.deepEqual(locations(groups), ["library/#post-2", "sop/cold/"]);
  assert.deepEqual(groups[1].map((item) => item.location), ["sop/cold/", "sop/cold/#steps"]);
  assert.ok(groups[1][0].score > groups[1][1].score);
});

test("each post of a collection page is its own result; a section alone brings its page", async () => {
  const groups = await search("胎压 步骤");  // 步骤 is the title of a section of sop/cold/
  assert.deepEqual(locations(groups).sort(), ["library/#post-1", "sop/cold/#steps"]);
  const cold = groups.find((group) => group[0].location === "sop/cold/#steps");
  assert.deepEqual(cold.map((item) => item.location), ["sop/cold/#steps", "sop/cold/"]);
  assert.equal(cold[1].score, 0);  // shown for its title, not found
});

test("required and excluded words filter; a synonym finds its pages", async () => {
  assert.deepEqual(locations(await search("+pressure tyre")), ["games/tyre/"]);
  assert.deepEqual(locations(await search("tyre -quiz")), []);
  // typed in Chinese: the sign holds for the words of the run and their synonyms
  assert.deepEqual(locations(await search("红包 -规则")), ["sop/cold/"]);
  assert.deepEqual(locations(await search("红包 +群里")), ["library/#post-2", "sop/angry/"]);  // 群里 is a must
  assert.deepEqual(locations(await search("红包 -冷场")), ["library/#post-2"]);  // 冷群 is 冷场
  assert.deepEqual(worker.clausesOf("红包 +冷群怎么办").map((c) => [c.term, c.presence]),
    [["红包", 1], ["冷群怎么办", 2]]);  // its words and synonyms are read when searching
  assert.deepEqual(locations(await search("红包 +冷群怎么办")), ["sop/cold/"]);  // 冷群 or 冷场, required
  assert.deepEqual(worker.clausesOf("a-规则").map((c) => [c.term, c.presence]), [["a", 1], ["规则", 1]]);
  // 冷群 is in sop/cold/'s title; its synonym 冷场 finds the section too
  const groups = await search("冷群");
  assert.deepEqual(groups[0].map((item) => item.location), ["sop/cold/", "sop/cold/#steps"]);
  assert.deepEqual(await search("zzz"), []);
});

test("an everyday word weighs a tenth: the topic word decides the order", async () => {
  const groups = await search("群里骂人");
  assert.deepEqual(locations(groups), ["sop/angry/", "library/#post-2"]);
  assert.deepEqual(groups[0][0].terms, {"骂人": true});  // a page is not "missing" 群里
  assert.ok(groups[0][0].score > 10 * groups[1][0].score);
});

/* --- highlighting: result HTML built from parts --- */

test("the text shows the first two blocks holding a word found, each word marked", () => {
  const text = "<p>a b</p><p>c tyre d</p><p>e</p><p>Tyre</p><p>tyre again</p>";
  assert.equal(worker.highlight(text, {tyre: 1}), "<p>c <mark>tyre</mark> d</p><p><mark>Tyre</mark></p>");
  assert.equal(worker.highlight("<p>a b</p><p>c</p>", {tyre: 1}), "<p>a b</p><p>c</p>");  // none: all
  assert.equal(worker.highlight("<ul><li>pressure check</li></ul>", {check: 1}),
    "<ul><li>pressure <mark>check</mark></li></ul>");
});

test("only the theme's kept tags survive; any other markup is text, escaped", () => {
  // a tag with attributes is never one the index holds: it is shown as text
  assert.equal(worker.highlight('<p onclick="x">a</p><b>b</b><img/>', {}), '&lt;p onclick="x"&gt;a</p>b&lt;img/&gt;');
  assert.equal(worker.highlight("<p>&lt;img src=x onerror=alert(1)&gt; 胎压</p>", {"胎压": 1}),
    "<p>&lt;img src=x onerror=alert(1)&gt; <mark>胎压</mark></p>");
  assert.equal(worker.highlight("a < b &amp; c", {}), "a &lt; b &amp; c");
});

test("a title marks each word found wherever it occurs, longest first, in any case", () => {
  assert.equal(worker.markWords("Tyre quiz", {tyre: 1}), "<mark>Tyre</mark> quiz");
  assert.equal(worker.markWords("群里红包", {"红包": 1, "群里": 1}), "<mark>群里</mark><mark>红包</mark>");
  assert.equal(worker.markWords("抢红包雨", {"红包": 1, "红包雨": 1}), "抢<mark>红包雨</mark>");
  assert.equal(worker.markWords("a.b ab", {"a.b": 1}), "<mark>a.b</mark> ab");  // a word, not a pattern
  assert.equal(worker.markWords("<i>x</i> &amp; y", {}), "x &amp; y");
});
