/* qunsop packs, shared by every pack page: the phone's storage, copying without the
   Clipboard API, pre-fill links and the offline worker. Built after js/clock.js (the clock in
   the playbook's time zone) with day.js into packs/pack.js and with today.js into
   packs/pack-today.js, each one function scope (generator/packs.py `pack_scripts`).
   Values from the address (a pre-fill link) are data: they are saved after asking, and
   never written into the page as the site's own words. */
  var SCRIPT = document.currentScript;
  var data = {};
  try { data = JSON.parse(document.getElementById("qs-data").textContent) || {}; } catch (error) { data = {}; }
  var PROFILE_KEY = "qunsop:profile";
  var ASK_KEY = "qunsop:ask";
  var GROUP_FIELDS = ["群名", "群编号"]; /* the group this phone sends to, per calendar */
  var BAD_LINK = "链接有误：";
  var toastTimer = null;

  function own(object, key) {
    return object !== null && typeof object === "object" && Object.prototype.hasOwnProperty.call(object, key) &&
      typeof object[key] === "string" ? object[key] : "";
  }
  function store(key, value) {
    try {
      if (value === null) { localStorage.removeItem(key); } else { localStorage.setItem(key, value); }
    } catch (error) { /* private mode: works for this visit only */ }
  }
  function load(key) {
    try { return localStorage.getItem(key); } catch (error) { return null; }
  }
  function loadJson(key, fallback) {
    try {
      var value = JSON.parse(load(key) || "null");
      return value !== null && typeof value === typeof fallback && Array.isArray(value) === Array.isArray(fallback) ? value : fallback;
    } catch (error) { return fallback; }
  }
  function toast(text) {
    var node = document.getElementById("toast");
    if (!node) { return; }
    node.textContent = text;
    node.classList.add("on");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { node.classList.remove("on"); }, 3500);
  }
  function validDate(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text || "")) { return false; }
    var parsed = new Date(text + "T00:00:00Z");
    return !isNaN(parsed) && parsed.toISOString().slice(0, 10) === text;
  }

  /* --- copying, with a fallback for browsers without the Clipboard API --- */
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    area.setSelectionRange(0, text.length);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    document.body.removeChild(area);
    if (!copied) { throw new Error("copy blocked"); }
    window.getSelection().removeAllRanges();
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { fallbackCopy(text); });
    }
    return new Promise(function (resolve) { fallbackCopy(text); resolve(); });
  }
  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  /* --- the store profile and the group: kept on this phone --- */
  function readProfile() { return loadJson(PROFILE_KEY, {}); }
  function groupKey() { return "qunsop:group:" + data.calendar; }
  function readGroup() { return loadJson(groupKey(), {}); }
  function clean(value) {
    return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e]/g, "").trim().slice(0, 60);
  }

  /* Pre-fill: `values` (name -> text) from an operator's link, or later from a roster of groups.
     Empty values are ignored; a field already saved with another value is only replaced after
     the owner says so (asked on the page, which may be the day this entry leads to). */
  function offerValues(values) {
    var profile = readProfile(), group = readGroup(), conflicts = [], saved = false;
    function take(record, name, where) {
      var value = clean(own(values, name));
      if (!value) { return; }
      var current = own(record, name);
      if (!current) { record[name] = value; saved = true; }
      else if (current !== value) { conflicts.push({where: where, name: name, now: current, link: value}); }
    }
    (data.known || []).forEach(function (name) { take(profile, name, "profile"); });
    GROUP_FIELDS.forEach(function (name) { take(group, name, "group"); });
    if (saved) {
      store(PROFILE_KEY, JSON.stringify(profile));
      store(groupKey(), JSON.stringify(group));
      toast("门店信息已保存在这部手机上");
    }
    if (conflicts.length) { store(ASK_KEY, JSON.stringify({calendar: data.calendar, items: conflicts})); }
  }
  function valuesFromAddress() {
    var params = new URLSearchParams(location.search);
    var values = {}, found = false;
    (data.known || []).concat(GROUP_FIELDS).forEach(function (name) {
      if (params.has(name)) { values[name] = params.get(name); params["delete"](name); found = true; }
    });
    if (found) {
      var rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
    }
    return values;
  }
  function showAsk(done) {
    var pending = loadJson(ASK_KEY, {});
    var items = Array.isArray(pending.items) ? pending.items : [];
    if (!items.length || pending.calendar !== data.calendar || document.getElementById("ask")) { return; }
    var main = document.querySelector("main");
    var box = document.createElement("div");
    box.className = "qs-ask";
    box.id = "ask";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "链接里的信息要换吗");
    var lead = document.createElement("p");
    lead.textContent = "链接里的信息和这部手机上保存的不一样，要换吗？";
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = own(item, "name") + "：手机上是“" + own(item, "now") + "”，链接里是“" + own(item, "link") + "”";
      list.appendChild(li);
    });
    function answer(replace) {
      if (replace) {
        var profile = readProfile(), group = readGroup();
        items.forEach(function (item) {
          var target = item.where === "group" ? group : profile;
          var value = clean(own(item, "link"));
          if (value) { target[own(item, "name")] = value; }
        });
        store(PROFILE_KEY, JSON.stringify(profile));
        store(groupKey(), JSON.stringify(group));
        toast("已换成链接里的信息");
      } else { toast("保留了手机上的信息"); }
      store(ASK_KEY, null);
      box.parentNode.removeChild(box);
      if (done) { done(); }
    }
    var yes = document.createElement("button");
    yes.type = "button"; yes.className = "qs-button"; yes.id = "ask-replace"; yes.textContent = "换成链接里的";
    yes.addEventListener("click", function () { answer(true); });
    var no = document.createElement("button");
    no.type = "button"; no.className = "qs-button"; no.id = "ask-keep"; no.textContent = "保留手机上的";
    no.addEventListener("click", function () { answer(false); });
    var buttons = document.createElement("p");
    buttons.className = "qs-actions";
    buttons.appendChild(yes);
    buttons.appendChild(no);
    box.appendChild(lead);
    box.appendChild(list);
    box.appendChild(buttons);
    main.insertBefore(box, main.firstChild);
  }

  /* --- a day-N group's start date: plausible, or refused and never remembered --- */
  function startProblem(start, today) {
    if (!validDate(start)) { return BAD_LINK + "建群日期不对。请在下面选一下你的群是哪天建的。"; }
    var gap = daysBetween(start, today);
    if (gap > 366 || gap < -366) { return BAD_LINK + "建群日期离今天超过一年，请重新选择。"; }
    if (gap < 0) { return "建群日期在今天之后：请检查一下，重新选择。"; }
    return "";
  }

  /* --- offline: the service worker keeps this day with its images and posters, the day list
     and the next day (sw.js); addresses are sent without their query string --- */
  function setupOffline() {
    if (!("serviceWorker" in navigator) || location.protocol === "file:") { return; }
    var base = SCRIPT.src.replace(/[^/]*$/, "");
    var here = location.origin + location.pathname;
    navigator.serviceWorker.register(base + "sw.js", {scope: base}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var message = {shared: [SCRIPT.src]};
      if (data.page === "day") {
        message.day = here;
        message.files = [];
        document.querySelectorAll("img[src], video[poster]").forEach(function (node) {
          message.files.push(node.tagName === "IMG" ? node.src : node.poster);
        });
        message.shared.push(new URL("../", here).href);
        if (data.next) { message.next = new URL("../" + data.next + "/", here).href; }
      } else {
        message.shared.push(here);
      }
      if (registration.active) { registration.active.postMessage(message); }
    }).catch(function () { /* offline support is a bonus */ });
  }
