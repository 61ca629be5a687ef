/* qunsop packs: today/, which opens the right day, and a day-N group's personal calendar. */
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
  /* fills a feed written by the build (packs.py `calendar_ics`): {D+0001} is day 1's date,
     {门店名} the store's name. Each line stays as the build folded it; a line the filling
     changed is folded again (as the build folds: tests/js/fixtures/ics_text.json). */
  function personalIcs(template, start, profile) {
    return template.split(/\r\n(?![ \t])/).map(function (folded) {
      var line = folded.replace(/\r\n[ \t]/g, "");
      var filled = line.replace(/\{D\+(\d{4})\}/g, function (match, number) {
        return addDays(start, parseInt(number, 10) - 1).replace(/-/g, "");
      }).replace(/\{([^{}\s]{1,20})\}/g, function (match, name) {
        return own(profile, name) ? icsText(own(profile, name)) : match;
      });
      return filled === line ? folded : foldLine(filled);
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


  /* start (unit tests load everything above this line) */
  offerValues(valuesFromAddress());
  setupToday();
  setupOffline();
