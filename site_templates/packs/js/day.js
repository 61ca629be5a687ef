/* qunsop packs: a day's page (copy, tick, skip, receipt, the item due now) and the day list. */
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
        (data.fields && data.fields.length ? "（点右上角“" + data.words.myStore + "”）" : "") : "";
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
  function sendable() { return [].slice.call(document.querySelectorAll(".qs-slot:not([data-held])")); }
  function receiptText() {
    var profile = readProfile(), group = readGroup(), state = readState();
    var who = data.assistant ? data.words.sender : own(profile, "门店名");
    var groupName = own(group, "群名"), groupId = own(group, "群编号");
    var sent = [], skipped = [], open = [], items = sendable();
    items.forEach(function (card) {
      var key = card.id.replace("slot-", "");
      var item = card.getAttribute("data-time") + " " + card.querySelector(".qs-title").textContent;
      if (state.sent.indexOf(key) >= 0) { sent.push(item); }
      else if (own(state.skipped, key)) { skipped.push(item + "（" + own(state.skipped, key) + "）"); }
      else { open.push(item); }
    });
    var lines = ["【已发回报】" + who + " · 群：" + groupName + (groupId ? "（" + groupId + "）" : ""),
      data.calendarName + " · " + data.dayLabel,
      "已发 " + sent.length + "/" + items.length + " 条" + (sent.length ? "：" + sent.join("；") : "")];
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
        toast(data.words.receiptCopied);
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
      (data.reasons || []).forEach(function (reason) {
        var option = document.createElement("option");
        option.textContent = reason;
        select.appendChild(option);
      });
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
  /* the time ("HH:MM") of the item due at `now`: the latest that has come; "" before the first */
  function dueTime(times, now) {
    return times.reduce(function (due, time) { return time <= now && time > due ? time : due; }, "");
  }
  /* on today's pack: the item whose time has come and whose next item's has not, across
     channels (of items at the same time, the first) */
  function markDue() {
    if (!isToday()) { return; }
    var cards = sendable();
    var due = dueTime(cards.map(function (item) { return item.getAttribute("data-time"); }), todayIn(data.timezone).time);
    var card = cards.filter(function (item) { return due && item.getAttribute("data-time") === due; })[0];
    if (!card) { return; }
    card.classList.add("due");
    if (card !== document.querySelector(".qs-slot")) { card.scrollIntoView({block: "start"}); }
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


  /* start (unit tests load everything above this line) */
  offerValues(valuesFromAddress());
  if (data.page === "day") { setupDay(); showAsk(applyProfile); }
  if (data.page === "days") { setupDays(); }
  setupOffline();
