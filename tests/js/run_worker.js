// Runs qunsop's search worker in Node, as the browser runs it: the theme's messages in,
// its answers out. Usage: node run_worker.js WORKER.js INDEX.json < queries.json
// INDEX.json is the theme's search_index.json with every file inline (as a site opened
// from the file system has it); prints, per query, {millis, result}.
"use strict";
const fs = require("fs");
const vm = require("vm");

const [workerPath, indexPath] = process.argv.slice(2);
const index = JSON.parse(fs.readFileSync(indexPath, "utf8"));
const queries = JSON.parse(fs.readFileSync(0, "utf8"));

let listener = null;
let answer = null;
const context = {
  self: {location: {href: "http://127.0.0.1/assets/javascripts/workers/search.js"}},
  URL, console,
  addEventListener: (type, handler) => { listener = handler; },
  postMessage: (message) => { if (answer) { answer(message); } },
  fetch: () => Promise.reject(new Error("no network in tests")),
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(workerPath, "utf8"), context);

function send(message) {
  return new Promise((resolve) => {
    answer = resolve;
    listener({data: message});
  });
}

(async () => {
  await send({type: 0, data: {config: index.config, docs: index.docs}});
  await send({type: 2, data: "预热"});  // the manifest is parsed once, before timing
  const out = [];
  for (const query of queries) {
    const start = process.hrtime.bigint();
    const message = await send({type: 2, data: query});
    const millis = Number(process.hrtime.bigint() - start) / 1e6;
    out.push({millis, result: message.data});
  }
  process.stdout.write(JSON.stringify(out));
})();
