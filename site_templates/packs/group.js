/* qunsop groups. A group's link page saves the group on this phone (public roster fields,
   its placeholder values into the profile pack.js fills from, its start date where today/
   looks) and opens today's pack; the operators' page filters the list of groups.
   On a pack day page, what this phone's group decides before pack.js runs.
   The group is the one a group link saved here (qunsop:group: public roster fields only);
   a day-N day's date comes from the group's start date (or the start date saved on today/).
   - an incident's notice scoped to some groups, tags or dates is shown where it applies,
     and the slots it holds back say so (and leave the receipt's count);
   - a slot with variants per tag shows the text for the group's tag (北方 / 南方…).
   Nothing here changes pack.js: the page's data is adjusted before pack.js reads it. */
  var node = document.getElementById("qs-data");
  var data;
  try { data = JSON.parse(node.textContent); } catch (error) { return; }
  function load(key) {
    try { return localStorage.getItem(key); } catch (error) { return null; }
  }
  function parsed(key, fallback) {
    try { return JSON.parse(load(key) || "null") || fallback; } catch (error) { return fallback; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, value); } catch (error) { /* private mode: this visit only */ }
  }

  function openGroup() {
    var group = data.group;
    store("qunsop:group", JSON.stringify(group));
    var profile = parsed("qunsop:profile", {});
    Object.keys(data.values).forEach(function (name) { profile[name] = data.values[name]; });
    store("qunsop:profile", JSON.stringify(profile));
    var today = todayIn(data.timezone).date;
    var active = data.calendars.filter(function (calendar) {
      if (calendar.dated) { return calendar.first <= today && (!calendar.last || today <= calendar.last); }  /* no last: open-ended */
      if (!group.start) { return false; }
      store("qunsop:start:" + calendar.id, group.start);
      var number = daysBetween(group.start, today) + 1;
      return number >= 1 && number <= calendar.days;
    });
    function url(calendar) { return data.root + "packs/" + calendar.id + "/today/"; }
    if (active.length === 1) { location.replace(url(active[0])); return; }
    var status = document.getElementById("status");
    var box = document.getElementById("choices");
    status.textContent = active.length ? "门店信息已保存。今天要发的推送包：" :
      "门店信息已保存。今天没有在用的排期，可以看全部日期。";
    active.forEach(function (calendar) {
      var link = document.createElement("a");
      link.href = url(calendar);
      link.className = "qs-button";
      var number = calendar.dated ? 0 : daysBetween(group.start, today) + 1;
      link.textContent = calendar.name + (number ? "（建群第 " + number + " 天）" : "");
      box.appendChild(link);
    });
    box.hidden = !active.length;
  }

  function listGroups() {
    var today = todayIn(data.timezone).date;
    var cards = document.querySelectorAll(".qs-card");
    cards.forEach(function (card) {
      var start = card.getAttribute("data-start");
      var day = card.querySelector("[data-day]");
      if (start && day) {
        var number = daysBetween(start, today) + 1;
        day.textContent = number >= 1 ? "今天第 " + number + " 天" : "还没建群";
      }
    });
    var tier = document.getElementById("filter-tier");
    var tag = document.getElementById("filter-tag");
    var count = document.getElementById("filter-count");
    function filter() {
      var shown = 0;
      cards.forEach(function (card) {
        var ok = (!tier.value || card.getAttribute("data-tier") === tier.value) &&
          (!tag.value || card.getAttribute("data-tags").split("|").indexOf(tag.value) >= 0);
        card.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = "显示 " + shown + " 个群";
    }
    tier.addEventListener("change", filter);
    tag.addEventListener("change", filter);
    filter();
  }

  function tagsFromAddress() {
    /* without a roster: an operator's link such as ?区域=南方 saves the tags this page asks
       about in the profile (pack.js takes the placeholders; these stay in the address) */
    var keys = [];
    document.querySelectorAll("[data-scoped]").forEach(function (notice) {
      keys = keys.concat(Object.keys(JSON.parse(notice.getAttribute("data-scoped")).tags));
    });
    document.querySelectorAll("[data-variant-tag]").forEach(function (box) { keys.push(box.getAttribute("data-variant-tag")); });
    var params = new URLSearchParams(location.search);
    var profile = parsed("qunsop:profile", {});
    var changed = false;
    keys.forEach(function (key) {
      var value = params.get(key);
      if (value !== null && value.trim()) { profile[key] = value.trim(); changed = true; }
    });
    if (changed) { store("qunsop:profile", JSON.stringify(profile)); }
  }

  function dayPage() {
    tagsFromAddress();
    var group = parsed("qunsop:group", null);
    var profile = parsed("qunsop:profile", {});
    function tagOf(key) {
      /* with a roster the group's tags; without one, a value the owner saved under the tag's name */
      if (group && group.tags && Object.prototype.hasOwnProperty.call(group.tags, key)) { return group.tags[key]; }
      return profile[key] || null;
    }
    function pageDate() {
      if (data.dated) { return data.date; }
      var mine = group && group.start && (group.calendars || []).indexOf(data.calendar) >= 0;
      var start = mine ? group.start : load("qunsop:start:" + data.calendar);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(start || "")) { return null; }
      return new Date(Date.parse(start + "T00:00:00Z") + (data.number - 1) * 86400000).toISOString().slice(0, 10);
    }
    function applies(scope, date) {
      if (!date || date < scope.start || (scope.end && date > scope.end)) { return false; }
      if (scope.groups.length && !(group && scope.groups.indexOf(group.id) >= 0)) { return false; }
      return Object.keys(scope.tags).every(function (key) {
        var value = tagOf(key);
        return value !== null && scope.tags[key].indexOf(value) >= 0;
      });
    }
    var date = pageDate();
    var open = [];
    document.querySelectorAll("[data-scoped]").forEach(function (notice) {
      var scope = JSON.parse(notice.getAttribute("data-scoped"));
      if (applies(scope, date)) { notice.hidden = false; open.push(scope.id); }
    });
    var held = [];
    document.querySelectorAll("[data-maybe-held]").forEach(function (slot) {
      var by = slot.getAttribute("data-maybe-held").split(" ");
      if (!by.some(function (id) { return open.indexOf(id) >= 0; })) { return; }
      slot.setAttribute("data-held", "1");
      slot.classList.add("held-now");
      var note = slot.querySelector("[data-held-note]");
      if (note) { note.hidden = false; }
      held.push(Number(slot.getAttribute("data-slot")));
    });
    document.querySelectorAll("[data-variant-tag]").forEach(function (box) {
      /* the default text stays unless the group's tag names another variant */
      var value = tagOf(box.getAttribute("data-variant-tag"));
      var chosen = value === null ? null : box.querySelector('[data-variant="' + CSS.escape(value) + '"]');
      if (!chosen) { return; }
      box.querySelectorAll("[data-variant]").forEach(function (variant) { variant.hidden = variant !== chosen; });
      var slot = box.closest(".qs-slot");
      var text = chosen.querySelector(".qs-text");
      var title = chosen.getAttribute("data-title");
      if (slot && title) { slot.querySelector(".qs-title").textContent = title; }
      if (slot && text) {
        /* the copy button copies #text-N: the chosen variant's text takes that id */
        var current = document.getElementById("text-" + slot.getAttribute("data-slot"));
        if (current && current !== text) { current.removeAttribute("id"); text.id = "text-" + slot.getAttribute("data-slot"); }
      }
    });
    if (held.length) {
      data.slots = (data.slots || []).filter(function (number) { return held.indexOf(number) < 0; });
      node.textContent = JSON.stringify(data);
    }
  }

  if (data.page === "group") { openGroup(); }
  else if (data.page === "groups") { listGroups(); }
  else if (data.page === "day") { dayPage(); }
