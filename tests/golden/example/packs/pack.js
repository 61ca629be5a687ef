/* qunsop packs: copy with the store's own details, tick what was sent, find today's pack.
   Works in the WeChat browser without the Clipboard API; nothing leaves the phone. */
(function () {
  "use strict";
  var data = {};
  try { data = JSON.parse(document.getElementById("qs-data").textContent); } catch (error) { data = {}; }
  var PROFILE_KEY = "qunsop:profile";
  var toastTimer = null;

  function store(key, value) {
    try {
      if (value === null) { localStorage.removeItem(key); } else { localStorage.setItem(key, value); }
    } catch (error) { /* private mode: works for this visit only */ }
  }
  function load(key) {
    try { return localStorage.getItem(key); } catch (error) { return null; }
  }
  function toast(text) {
    var node = document.getElementById("toast");
    if (!node) { return; }
    node.textContent = text;
    node.classList.add("on");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { node.classList.remove("on"); }, 3500);
  }
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
  function pad(n) { return (n < 10 ? "0" : "") + n; }

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

  /* --- the store profile: placeholders filled in on this phone --- */
  function readProfile() {
    try { return JSON.parse(load(PROFILE_KEY) || "{}") || {}; } catch (error) { return {}; }
  }
  function takeProfileFromAddress(names) {
    /* an operator's link such as ?门店名=阳光小店 fills the form once, then leaves the address bar */
    var params = new URLSearchParams(location.search);
    var profile = readProfile();
    var changed = false;
    names.forEach(function (name) {
      var value = params.get(name);
      if (value !== null) { profile[name] = value.trim(); params.delete(name); changed = true; }
    });
    if (changed) {
      store(PROFILE_KEY, JSON.stringify(profile));
      var rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
      toast("门店信息已保存在这部手机上");
    }
  }
  function missingIn(slotNumber, profile) {
    var text = document.getElementById("text-" + slotNumber);
    if (!text) { return []; }
    var missing = [];
    text.querySelectorAll("mark[data-ph]").forEach(function (mark) {
      var name = mark.getAttribute("data-ph");
      if (!profile[name] && missing.indexOf(name) < 0) { missing.push(name); }
    });
    return missing;
  }
  function applyProfile() {
    var profile = readProfile();
    document.querySelectorAll("mark[data-ph]").forEach(function (mark) {
      var name = mark.getAttribute("data-ph");
      var value = profile[name];
      mark.textContent = value ? value : "{" + name + "}";
      mark.classList.toggle("filled", Boolean(value));
    });
    var anyMissing = false;
    document.querySelectorAll("[data-missing-for]").forEach(function (line) {
      var missing = missingIn(line.getAttribute("data-missing-for"), profile);
      line.hidden = missing.length === 0;
      line.textContent = missing.length ? "还没填：" + missing.join("、") + "（点右上角“我的门店”）" : "";
      var button = document.querySelector('[data-copy="text-' + line.getAttribute("data-missing-for") + '"]');
      if (button) {
        button.setAttribute("data-missing", missing.join("、"));
        button.textContent = missing.length ? "复制（缺" + missing.length + "项）" : "复制";
      }
      anyMissing = anyMissing || missing.length > 0;
    });
    document.querySelectorAll("[data-ph-input]").forEach(function (input) {
      input.value = profile[input.getAttribute("data-ph-input")] || "";
    });
    var prompt = document.getElementById("profile-prompt");
    if (prompt) { prompt.hidden = !anyMissing; }
  }
  function openProfile(focusName) {
    var form = document.getElementById("profile");
    if (!form) { return; }
    form.hidden = false;
    var target = null;
    form.querySelectorAll("[data-ph-input]").forEach(function (input) {
      if (!target && (!focusName || input.getAttribute("data-ph-input") === focusName) && !input.value) { target = input; }
    });
    (target || form.querySelector("input")).focus();
    form.scrollIntoView({block: "start"});
  }
  function setupProfile() {
    var names = data.profile || [];
    if (!names.length) { return; }
    takeProfileFromAddress(names);
    document.querySelectorAll("[data-open-profile]").forEach(function (button) {
      button.addEventListener("click", function () { openProfile(null); });
    });
    var save = document.getElementById("profile-save");
    if (save) {
      save.addEventListener("click", function () {
        var profile = readProfile();
        document.querySelectorAll("[data-ph-input]").forEach(function (input) {
          var value = input.value.trim();
          if (value) { profile[input.getAttribute("data-ph-input")] = value; }
          else { delete profile[input.getAttribute("data-ph-input")]; }
        });
        store(PROFILE_KEY, JSON.stringify(profile));
        document.getElementById("profile").hidden = true;
        applyProfile();
        toast("已保存：复制时会自动填进去");
      });
    }
    applyProfile();
  }

  /* --- sent ticks and the receipt --- */
  function sentKey() { return "qunsop:sent:" + data.calendar + ":" + data.key; }
  function readSent() {
    try { return JSON.parse(load(sentKey()) || "[]"); } catch (error) { return []; }
  }
  function setSent(number, value) {
    var sent = readSent().filter(function (item) { return item !== String(number); });
    if (value) { sent.push(String(number)); }
    store(sentKey(), JSON.stringify(sent));
    var box = document.querySelector('[data-sent="' + number + '"]');
    if (box) { box.checked = value; }
    var card = document.getElementById("slot-" + number);
    if (card) { card.classList.toggle("sent", value); }
    updateReceipt();
  }
  function updateReceipt() {
    var receipt = document.getElementById("receipt");
    var slots = (data.slots || []).map(String);
    if (!receipt || !slots.length) { return; }
    var sent = readSent();
    receipt.hidden = !slots.every(function (number) { return sent.indexOf(number) >= 0; });
  }
  function receiptText() {
    var profile = readProfile();
    var store_ = profile["门店名"] || "（门店名）";
    var total = (data.slots || []).length;
    return "【已发回报】" + store_ + " · " + data.calendarName + " · " + data.dayLabel + " · " +
      total + "/" + total + " 条已发";
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
        var number = node.id.replace("text-", "");
        copy(node.textContent).then(function () {
          button.textContent = "已复制 ✓";
          button.classList.add("done");
          toast("已复制，去微信粘贴");
          setSent(number, true);
          setTimeout(function () { button.classList.remove("done"); applyProfile(); }, 2500);
        }).catch(function () {
          selectText(node);
          button.textContent = "请长按文字复制";
          toast("这个浏览器不让自动复制：文字已选中，长按它，点“复制”");
          setTimeout(applyProfile, 4000);
        });
      });
    });
    var sent = readSent();
    document.querySelectorAll("[data-sent]").forEach(function (box) {
      var number = box.getAttribute("data-sent");
      box.checked = sent.indexOf(number) >= 0;
      document.getElementById("slot-" + number).classList.toggle("sent", box.checked);
      box.addEventListener("change", function () { setSent(number, box.checked); });
    });
    var receiptButton = document.getElementById("receipt-copy");
    if (receiptButton) {
      receiptButton.addEventListener("click", function () {
        copy(receiptText()).then(function () { toast("回报已复制，去店主群粘贴"); })
          .catch(function () { toast(receiptText()); });
      });
    }
    updateReceipt();
    markDue();
  }
  function isToday() {
    var now = todayIn(data.timezone);
    if (data.dated) { return data.date === now.date; }
    var start = load("qunsop:start:" + data.calendar);
    return validDate(start) && daysBetween(start, now.date) + 1 === data.number;
  }
  function markDue() {
    /* on today's pack, the latest post whose time has come is marked and brought into view */
    if (!isToday()) { return; }
    var now = todayIn(data.timezone).time;
    var due = null;
    document.querySelectorAll(".qs-slot[data-time]").forEach(function (card) {
      if (!card.hasAttribute("data-held") && card.getAttribute("data-time") <= now) { due = card; }
    });
    if (!due) { return; }
    due.classList.add("due");
    if (due !== document.querySelector(".qs-slot")) { due.scrollIntoView({block: "start"}); }
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
    function say(text, links) { status.textContent = text; showChoices(links || []); }
    if (data.dated) {
      var first = days.length ? days[0].key : "", last = days.length ? days[days.length - 1].key : "";
      if (!days.length) { say("这个排期还没有内容。", [["全部日期", "../"]]); return; }
      if (now.date < first) { say("排期从 " + first + " 开始，今天还没有内容。", [["先看第一天", "../" + first + "/"]]); return; }
      if (now.date > last) {
        /* an open-ended calendar goes on as its weekly template */
        var weekly = "weekly-" + ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][new Date(now.date + "T00:00:00Z").getUTCDay()];
        if ((data.rhythm || []).indexOf(weekly) >= 0) { go(weekly); return; }
        say("这个排期已在 " + last + " 结束。", [["看最后一天", "../" + last + "/"]]);
        return;
      }
      if (days.some(function (day) { return day.key === now.date; })) { go(now.date); return; }
      say("今天没有安排推送，休息一下。", [["全部日期", "../"]]);
      return;
    }
    var storeKey = "qunsop:start:" + data.calendar;
    var lastDay = days.length ? days[days.length - 1].day : 0;
    var form = document.getElementById("start-form");
    var input = document.getElementById("start-date");
    var error = document.getElementById("start-error");
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
      var link = document.getElementById("ics-link");
      var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//qunsop//群SOP//ZH", "X-WR-CALNAME:" + icsText(data.calendarName)];
      days.forEach(function (day) {
        var date = new Date(Date.parse(start + "T00:00:00Z") + (day.day - 1) * 86400000).toISOString().slice(0, 10).replace(/-/g, "");
        day.slots.forEach(function (slot, index) {
          var time = slot.time.replace(":", "") + "00";
          lines.push("BEGIN:VEVENT", "UID:" + data.calendar + "-" + start + "-" + day.key + "-" + index + "@qunsop",
            "DTSTAMP:" + date + "T000000Z", "DTSTART:" + date + "T" + time, "SUMMARY:" + icsText(slot.time + " 发：" + slot.title),
            "DESCRIPTION:" + icsText(slot.text), "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + icsText(slot.title),
            "TRIGGER:PT0S", "END:VALARM", "END:VEVENT");
        });
      });
      lines.push("END:VCALENDAR");
      link.href = "data:text/calendar;charset=utf-8," + encodeURIComponent(lines.join("\r\n") + "\r\n");
      document.getElementById("ics").hidden = false;
    }
    function icsText(text) {
      return String(text).replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\n/g, "\\n");
    }
    function openFrom(start, remember) {
      if (!validDate(start)) { ask("建群日期写得不对：应该是 2026-12-01 这样的日期，请重新选择。"); return; }
      var number = daysBetween(start, now.date) + 1;
      if (number < 1) { ask("建群日期 " + start + " 在今天之后，请检查一下。"); return; }
      if (remember) { store(storeKey, start); }
      offerIcs(start);
      if (number > lastDay) {
        say("建群已经第 " + number + " 天，这个 " + lastDay + " 天的排期已经做完了。", [["全部日期", "../"]]);
        return;
      }
      openDay(number);
    }
    var params = new URLSearchParams(location.search);
    if (params.get("reset")) { store(storeKey, null); ask(""); }
    else if (params.has("day")) {
      var wanted = params.get("day");
      var number = /^\d{1,3}$/.test(wanted) ? parseInt(wanted, 10) : NaN;
      if (!(number >= 1 && number <= lastDay)) {
        say("没有“第 " + wanted + " 天”：这个排期是建群后第 1 ~ " + lastDay + " 天。", [["第 1 天", "../" + (days[0] ? days[0].key : "") + "/"], ["全部日期", "../"]]);
      } else { openDay(number); }
    } else if (params.has("start")) { openFrom(params.get("start"), true); }
    else {
      var saved = load(storeKey);
      if (saved) { openFrom(saved, false); } else { ask(""); }
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!input.value) { ask("请先选择建群日期，再点“打开今天”。"); return; }
      openFrom(input.value, true);
    });
  }

  function setupDays() {
    var now = todayIn(data.timezone).date;
    var start = data.dated ? null : load("qunsop:start:" + data.calendar);
    document.querySelectorAll("a[data-day]").forEach(function (link) {
      var today = data.dated ? link.getAttribute("data-date") === now :
        validDate(start) && String(daysBetween(start, now) + 1) === link.getAttribute("data-day");
      if (today) { link.classList.add("today"); link.setAttribute("aria-current", "date"); }
    });
  }

  /* --- offline: the service worker keeps this page, its images, the day list and the next day --- */
  function setupOffline() {
    if (!("serviceWorker" in navigator) || location.protocol === "file:") { return; }
    var script = document.querySelector('script[src$="packs/pack.js"]');
    var base = script.src.replace(/pack\.js$/, "");
    navigator.serviceWorker.register(base + "sw.js", {scope: base}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = [location.href.split("#")[0].split("?")[0], script.src];
      document.querySelectorAll("img[src], video[poster]").forEach(function (node) {
        urls.push(node.currentSrc || node.src || node.poster);
      });
      if (data.page === "day") {
        urls.push(new URL("../", location.href).href, new URL("pack.txt", location.href).href);
        if (data.next) { urls.push(new URL("../" + data.next + "/", location.href).href); }
      }
      if (registration.active) { registration.active.postMessage({cache: urls}); }
    }).catch(function () { /* offline support is a bonus */ });
  }

  if (data.page === "day") { setupDay(); }
  if (data.page === "today") { setupToday(); }
  if (data.page === "days") { setupDays(); }
  setupOffline();
})();
