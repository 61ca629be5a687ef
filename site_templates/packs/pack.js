/* qunsop packs: copy with the store's own details, tick what was sent, find today's pack.
   Works in the WeChat browser without the Clipboard API; nothing leaves the phone.
   Values from the address (a pre-fill link) are data: they are saved after asking, and are
   never written into the page as the site's own words. */
(function () {
  "use strict";
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
  /* today's date and clock time in the playbook's time zone (the one place that reads the clock) */
  function todayIn(zone) {
    var parts = new Intl.DateTimeFormat("en-CA", {timeZone: zone, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).formatToParts(new Date());
    var get = function (type) { return parts.filter(function (p) { return p.type === type; })[0].value; };
    return {date: get("year") + "-" + get("month") + "-" + get("day"), time: get("hour") + ":" + get("minute")};
  }
  function validDate(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text || "")) { return false; }
    var parsed = new Date(text + "T00:00:00Z");
    return !isNaN(parsed) && parsed.toISOString().slice(0, 10) === text;
  }
  function daysBetween(first, second) {
    return Math.round((Date.parse(second + "T00:00:00Z") - Date.parse(first + "T00:00:00Z")) / 86400000);
  }
  function addDays(date, days) {
    return new Date(Date.parse(date + "T00:00:00Z") + days * 86400000).toISOString().slice(0, 10);
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

  function missingIn(nodes, profile) {
    var missing = [];
    nodes.forEach(function (node) {
      node.querySelectorAll("mark[data-ph]").forEach(function (mark) {
        var name = mark.getAttribute("data-ph");
        if (!own(profile, name) && missing.indexOf(name) < 0) { missing.push(name); }
      });
    });
    return missing;
  }
  /* fills the marks and labels from the saved profile; never touches what is typed in a form */
  function applyProfile() {
    var profile = readProfile();
    document.querySelectorAll("mark[data-ph]").forEach(function (mark) {
      var name = mark.getAttribute("data-ph");
      var value = own(profile, name);
      mark.textContent = value ? value : "{" + name + "}";
      mark.classList.toggle("filled", Boolean(value));
    });
    var anyMissing = false;
    document.querySelectorAll("[data-missing-for]").forEach(function (line) {
      var card = document.getElementById("slot-" + line.getAttribute("data-missing-for"));
      var missing = missingIn([].slice.call(card.querySelectorAll(".qs-text")), profile);
      line.hidden = missing.length === 0;
      line.textContent = missing.length ? "还没填：" + missing.join("、") +
        (data.fields && data.fields.length ? "（点右上角“我的门店”）" : "") : "";
      anyMissing = anyMissing || missing.length > 0;
    });
    document.querySelectorAll("[data-copy]").forEach(labelButton);
    var prompt = document.getElementById("profile-prompt");
    if (prompt) { prompt.hidden = !anyMissing; }
    var storeBox = document.getElementById("receipt-store-box");
    if (storeBox) { storeBox.hidden = Boolean(own(profile, "门店名")); }
  }
  function labelButton(button) {
    var node = document.getElementById(button.getAttribute("data-copy"));
    if (!node) { return; }
    var missing = missingIn([node], readProfile());
    button.setAttribute("data-missing", missing.join("、"));
    button.textContent = missing.length ? "复制（缺" + missing.length + "项）" :
      readState().copied.indexOf(node.id) >= 0 ? "已复制 ✓" : "复制";
  }
  function openProfile(focusName) {
    var form = document.getElementById("profile");
    if (!form) { return; }
    if (form.hidden) { /* filled from the phone only when it opens: typing is never overwritten */
      var profile = readProfile();
      form.querySelectorAll("[data-ph-input]").forEach(function (input) {
        input.value = own(profile, input.getAttribute("data-ph-input"));
      });
    }
    form.hidden = false;
    var target = null;
    form.querySelectorAll("[data-ph-input]").forEach(function (input) {
      if (!target && (!focusName || input.getAttribute("data-ph-input") === focusName) && !input.value) { target = input; }
    });
    (target || form.querySelector("input")).focus();
    form.scrollIntoView({block: "start"});
  }
  function setupProfile() {
    document.querySelectorAll("[data-open-profile]").forEach(function (button) {
      button.addEventListener("click", function () { openProfile(null); });
    });
    var save = document.getElementById("profile-save");
    if (save) {
      save.addEventListener("click", function () {
        var profile = readProfile();
        document.querySelectorAll("[data-ph-input]").forEach(function (input) {
          var value = clean(input.value);
          if (value) { profile[input.getAttribute("data-ph-input")] = value; }
          else { delete profile[input.getAttribute("data-ph-input")]; }
        });
        store(PROFILE_KEY, JSON.stringify(profile));
        document.getElementById("profile").hidden = true;
        applyProfile();
        toast("已保存：复制时会自动填进去");
      });
    }
  }

  /* --- what happened to each item: copied, sent (the owner's own tick), or not sent and why --- */
  function stateKey() { return "qunsop:day:" + data.calendar + ":" + data.key; }
  function readState() {
    var state = loadJson(stateKey(), {});
    return {copied: Array.isArray(state.copied) ? state.copied : [], sent: Array.isArray(state.sent) ? state.sent : [],
      skipped: state.skipped && typeof state.skipped === "object" && !Array.isArray(state.skipped) ? state.skipped : {}};
  }
  function writeState(change) {
    var state = readState();
    change(state);
    store(stateKey(), JSON.stringify(state));
    showState();
  }
  function showState() {
    var state = readState();
    document.querySelectorAll(".qs-slot").forEach(function (card) {
      var number = card.id.replace("slot-", "");
      var box = card.querySelector("[data-sent]"), skip = card.querySelector("[data-skip]");
      var sent = state.sent.indexOf(number) >= 0, reason = own(state.skipped, number);
      if (box) { box.checked = sent; }
      if (skip) { skip.value = reason; }
      card.classList.toggle("sent", sent);
      card.classList.toggle("skipped", !sent && Boolean(reason));
      card.classList.toggle("copied", state.copied.indexOf("text-" + number) >= 0);
    });
  }
  function setSent(number, value) {
    writeState(function (state) {
      state.sent = state.sent.filter(function (item) { return item !== number; });
      if (value) { state.sent.push(number); delete state.skipped[number]; }
    });
  }
  function setSkipped(number, reason) {
    writeState(function (state) {
      if (reason) { state.skipped[number] = reason; state.sent = state.sent.filter(function (item) { return item !== number; }); }
      else { delete state.skipped[number]; }
    });
  }

  /* --- the receipt: any time, naming the store, the group and the day; never a blank store --- */
  function receiptText() {
    var profile = readProfile(), group = readGroup(), state = readState();
    var who = data.assistant ? "群助理" : own(profile, "门店名");
    var groupName = own(group, "群名"), groupId = own(group, "群编号");
    var sent = [], skipped = [], open = [];
    (data.slots || []).forEach(function (number, index) {
      var key = String(number);
      var item = data.times[index] + " " + data.titles[index];
      if (state.sent.indexOf(key) >= 0) { sent.push(item); }
      else if (own(state.skipped, key)) { skipped.push(item + "（" + own(state.skipped, key) + "）"); }
      else { open.push(item); }
    });
    var lines = ["【已发回报】" + who + " · 群：" + groupName + (groupId ? "（" + groupId + "）" : ""),
      data.calendarName + " · " + data.dayLabel,
      "已发 " + sent.length + "/" + (data.slots || []).length + " 条" + (sent.length ? "：" + sent.join("；") : "")];
    if (skipped.length) { lines.push("不发 " + skipped.length + " 条：" + skipped.join("；")); }
    if (open.length) { lines.push("还没发 " + open.length + " 条：" + open.join("；")); }
    return lines.join("\n");
  }
  function setupReceipt() {
    var button = document.getElementById("receipt-copy");
    if (!button) { return; }
    var groupInput = document.getElementById("receipt-group");
    var storeInput = document.getElementById("receipt-store");
    var error = document.getElementById("receipt-error");
    var shown = document.getElementById("receipt-text");
    groupInput.value = own(readGroup(), "群名");
    button.addEventListener("click", function () {
      var group = readGroup(), profile = readProfile();
      var groupName = clean(groupInput.value);
      if (groupName && groupName !== own(group, "群名")) {
        group["群名"] = groupName;
        delete group["群编号"]; /* a typed name is another group than the link's */
        store(groupKey(), JSON.stringify(group));
      }
      if (storeInput && !own(profile, "门店名") && clean(storeInput.value)) {
        profile["门店名"] = clean(storeInput.value);
        store(PROFILE_KEY, JSON.stringify(profile));
        applyProfile();
      }
      var lacking = [];
      if (!own(readGroup(), "群名")) { lacking.push("群名"); }
      if (!data.assistant && !own(readProfile(), "门店名")) { lacking.push("门店名"); }
      error.hidden = !lacking.length;
      error.textContent = lacking.length ? "回报里要写" + lacking.join("和") + "：先填上再复制。" : "";
      if (lacking.length) { (lacking[0] === "群名" ? groupInput : storeInput).focus(); return; }
      var text = receiptText();
      shown.textContent = text;
      shown.hidden = true;
      copy(text).then(function () {
        toast(data.assistant ? "回报已复制，私聊发给运营" : "回报已复制，去店主群粘贴");
      }).catch(function () {
        shown.hidden = false; /* stays on the page: long-press it and copy */
        selectText(shown);
        toast("这个浏览器不让自动复制：回报已选中，长按它，点“复制”");
      });
    });
  }

  function setupDay() {
    setupProfile();
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var missing = button.getAttribute("data-missing");
        if (missing && !button.hasAttribute("data-warned")) {
          button.setAttribute("data-warned", "1");
          toast("还没填：" + missing + "。填好再复制，或再点一次照原样复制");
          openProfile(missing.split("、")[0]);
          return;
        }
        var node = document.getElementById(button.getAttribute("data-copy"));
        copy(node.textContent).then(function () {
          writeState(function (state) { if (state.copied.indexOf(node.id) < 0) { state.copied.push(node.id); } });
          labelButton(button);
          toast("已复制，去微信粘贴；发出去后勾“已发”");
        }).catch(function () {
          selectText(node);
          button.textContent = "请长按文字复制";
          toast("这个浏览器不让自动复制：文字已选中，长按它，点“复制”");
          setTimeout(function () { labelButton(button); }, 4000);
        });
      });
    });
    document.querySelectorAll("[data-sent]").forEach(function (box) {
      box.addEventListener("change", function () { setSent(box.getAttribute("data-sent"), box.checked); });
    });
    document.querySelectorAll("[data-skip]").forEach(function (select) {
      select.addEventListener("change", function () { setSkipped(select.getAttribute("data-skip"), select.value); });
    });
    showState();
    applyProfile();
    setupReceipt();
    markDue();
  }
  function isToday() {
    var now = todayIn(data.timezone);
    if (data.dated) { return data.date === now.date; }
    var start = load("qunsop:start:" + data.calendar);
    return startProblem(start, now.date) === "" && daysBetween(start, now.date) + 1 === data.number;
  }
  /* on today's pack: the item whose time has come and whose next item's has not, across channels */
  function markDue() {
    if (!isToday()) { return; }
    var now = todayIn(data.timezone).time;
    var due = null, dueTime = "";
    (data.slots || []).forEach(function (number, index) {
      var time = data.times[index];
      if (time <= now && time > dueTime) { due = number; dueTime = time; }
    });
    if (due === null) { return; }
    var card = document.getElementById("slot-" + due);
    card.classList.add("due");
    if (card !== document.querySelector(".qs-slot")) { card.scrollIntoView({block: "start"}); }
  }

  /* --- a day-N group's start date: plausible, or refused and never remembered --- */
  function startProblem(start, today) {
    if (!validDate(start)) { return BAD_LINK + "建群日期不对。请在下面选一下你的群是哪天建的。"; }
    var gap = daysBetween(start, today);
    if (gap > 366 || gap < -366) { return BAD_LINK + "建群日期离今天超过一年，请重新选择。"; }
    if (gap < 0) { return "建群日期在今天之后：请检查一下，重新选择。"; }
    return "";
  }

  /* --- the personal calendar: the build's feed for this calendar, dated from the start --- */
  function icsText(text) {
    return String(text).replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
  }
  function octets(character) {
    var code = character.codePointAt(0);
    return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  function foldLine(line) {
    var parts = [], current = "", size = 0, limit = 75;
    Array.from(line).forEach(function (character) {
      var length = octets(character);
      if (size + length > limit) { parts.push(current); current = ""; size = 0; limit = 74; }
      current += character;
      size += length;
    });
    parts.push(current);
    return parts.join("\r\n ");
  }
  /* fills a feed written by the build: {D+0001} is day 1's date, {门店名} the store's name */
  function personalIcs(template, start, profile) {
    var lines = template.replace(/\r\n[ \t]/g, "").split("\r\n");
    return lines.map(function (line) {
      var filled = line.replace(/\{D\+(\d{4})\}/g, function (match, number) {
        return addDays(start, parseInt(number, 10) - 1).replace(/-/g, "");
      }).replace(/\{([^{}\s]{1,20})\}/g, function (match, name) {
        return own(profile, name) ? icsText(own(profile, name)) : match;
      });
      return filled ? foldLine(filled) : filled;
    }).join("\r\n");
  }

  /* --- today/: the right day, or a clear message and a way on --- */
  function showChoices(links) {
    var box = document.getElementById("choices");
    box.textContent = "";
    links.forEach(function (link) {
      var a = document.createElement("a");
      a.href = link[1];
      a.textContent = link[0];
      box.appendChild(a);
    });
    box.hidden = !links.length;
  }
  function setupToday() {
    var status = document.getElementById("status");
    var days = data.days || [];
    var byNumber = {};
    days.forEach(function (day) { byNumber[day.day] = day; });
    var now = todayIn(data.timezone);
    function go(key) { location.replace("../" + key + "/"); }
    function say(text, links) {
      status.textContent = text;
      status.hidden = !text;
      showChoices(links || []);
      showAsk(null);
    }
    if (data.dated) {
      var first = days.length ? days[0].key : "", last = days.length ? days[days.length - 1].key : "";
      if (!days.length) { say("这个排期还没有内容。", [["全部日期", "../"]]); return; }
      if (now.date < first) { say("排期从 " + first + " 开始，今天还没有内容。", [["先看第一天", "../" + first + "/"]]); return; }
      if (now.date > last) { say("这个排期已在 " + last + " 结束。", [["看最后一天", "../" + last + "/"]]); return; }
      if (days.some(function (day) { return day.key === now.date; })) { go(now.date); return; }
      say("今天没有安排推送，休息一下。", [["全部日期", "../"]]);
      return;
    }
    var storeKey = "qunsop:start:" + data.calendar;
    var lastDay = days.length ? days[days.length - 1].day : 0;
    var form = document.getElementById("start-form");
    var input = document.getElementById("start-date");
    var error = document.getElementById("start-error");
    var template = null;
    function ask(message) {
      say("", []);
      form.hidden = false;
      error.hidden = !message;
      error.textContent = message || "";
      input.focus();
    }
    function nextAfter(number) {
      for (var n = number + 1; n <= lastDay; n += 1) { if (byNumber[n]) { return byNumber[n]; } }
      return null;
    }
    function openDay(number) {
      if (byNumber[number]) { go(byNumber[number].key); return; }
      var next = nextAfter(number);
      say("建群第 " + number + " 天没有安排推送，休息一下。",
        next ? [["下一次：第 " + next.day + " 天", "../" + next.key + "/"], ["全部日期", "../"]] : [["全部日期", "../"]]);
    }
    function offerIcs(start) {
      var box = document.getElementById("ics");
      if (startProblem(start, now.date)) { box.hidden = true; return; }
      var ready = template ? Promise.resolve(template) :
        fetch("../personal-ics.txt").then(function (response) {
          if (!response.ok) { throw new Error("no feed"); }
          return response.text();
        });
      ready.then(function (text) {
        template = text;
        var link = document.getElementById("ics-link");
        link.href = "data:text/calendar;charset=utf-8," + encodeURIComponent(personalIcs(text, start, readProfile()));
        link.setAttribute("download", data.calendar + "-" + start + ".ics");
        document.getElementById("ics-note").textContent = "按 " + start + " 建群算，共 " + lastDay + " 天的提醒。";
        box.hidden = false;
      }).catch(function () { box.hidden = true; });
    }
    function openFrom(start, remember) {
      var problem = startProblem(start, now.date);
      if (problem) { ask(problem); return; }
      var number = daysBetween(start, now.date) + 1;
      if (remember) { store(storeKey, start); }
      if (number > lastDay) {
        offerIcs(start);
        say("建群已经第 " + number + " 天，这个 " + lastDay + " 天的排期已经做完了。", [["全部日期", "../"]]);
        return;
      }
      openDay(number);
    }
    input.addEventListener("change", function () { offerIcs(input.value); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!input.value) { ask("请先选择建群日期，再点“打开今天”。"); return; }
      openFrom(input.value, true);
    });
    var params = new URLSearchParams(location.search);
    var saved = load(storeKey);
    if (saved && startProblem(saved, now.date)) { store(storeKey, null); saved = null; }
    if (params.get("reset")) {
      store(storeKey, null);
      ask("");
      return;
    }
    if (params.has("day")) {
      var wanted = params.get("day");
      var number = /^\d{1,3}$/.test(wanted) ? parseInt(wanted, 10) : NaN;
      if (!(number >= 1 && number <= lastDay)) {
        say(BAD_LINK + "没有这一天。这个排期是建群后第 1 ~ " + lastDay + " 天。",
          [["第 1 天", "../" + (days[0] ? days[0].key : "") + "/"], ["全部日期", "../"]]);
      } else { openDay(number); }
      return;
    }
    if (params.has("start")) { openFrom(params.get("start"), true); return; }
    if (saved) { openFrom(saved, false); } else { ask(""); }
  }

  function setupDays() {
    var now = todayIn(data.timezone).date;
    var start = data.dated ? null : load("qunsop:start:" + data.calendar);
    document.querySelectorAll("a[data-day]").forEach(function (link) {
      var today = data.dated ? link.getAttribute("data-date") === now :
        startProblem(start, now) === "" && String(daysBetween(start, now) + 1) === link.getAttribute("data-day");
      if (today) { link.classList.add("today"); link.setAttribute("aria-current", "date"); }
    });
    showAsk(null);
  }

  /* --- offline: the service worker keeps this day with its images and posters, the day list
     and the next day (sw.js); addresses are sent without their query string --- */
  function setupOffline() {
    if (!("serviceWorker" in navigator) || location.protocol === "file:") { return; }
    var script = document.querySelector('script[src$="packs/pack.js"]');
    var base = script.src.replace(/pack\.js$/, "");
    var here = location.origin + location.pathname;
    navigator.serviceWorker.register(base + "sw.js", {scope: base}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var message = {shared: [script.src]};
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

  offerValues(valuesFromAddress());
  if (data.page === "day") { setupDay(); showAsk(applyProfile); }
  if (data.page === "today") { setupToday(); }
  if (data.page === "days") { setupDays(); }
  setupOffline();
})();
