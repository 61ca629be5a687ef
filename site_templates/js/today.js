/* The 今日 page: what happens on a day, read from the small JSON files built beside it.
   Any date can be chosen without a rebuild; everything is drawn with textContent. */
  var script = document.currentScript;
  var metaUrl = script.getAttribute("data-meta");
  var root = script.getAttribute("data-root");
  var input = document.getElementById("qs-day");
  var status = document.getElementById("qs-today-status");
  var meta = null;
  var months = {};

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }
  function link(text, url) { return el("a", text, {href: root + url}); }
  function between(date, start, end) { return start <= date && (!end || date <= end); }
  function compact(rows) {
    return rows.map(function (row) {
      return row[0] + (row[1] === "群里" ? "" : " " + row[1]) + " " + row[3] + (row[4] ? "（暂停）" : "");
    }).join("；");
  }
  /* 今日 for the roster's groups: one block per tier, short enough for a screen. A dated
     calendar's posts are the same for all its groups: listed once; day-N groups each say
     their day and how many posts it has. Groups are listed by their first tag (省份…). */
  function showGroups(date, data) {
    var box = document.getElementById("qs-today-groups");
    box.textContent = "";
    if (!meta.groups) { return; }
    box.appendChild(el("h2", "群名单里的群（" + meta.groups.length + " 个）"));
    var byId = {};
    meta.calendars.forEach(function (c) { byId[c.id] = c; });
    meta.tiers.forEach(function (tier) {
      var groups = meta.groups.filter(function (g) { return g.tier === tier.id; });
      var block = el("div", "", {"class": "qs-tier", "data-tier": tier.id});
      block.appendChild(el("h3", tier.name + "（" + groups.length + " 个群）"));
      var used = [];
      groups.forEach(function (g) { g.calendars.forEach(function (id) { if (used.indexOf(id) < 0) { used.push(id); } }); });
      used.forEach(function (id) {
        var c = byId[id];
        if (!c || !c.dated) { return; }
        var rows = (data[id] || {})[date];
        var p = el("p");
        p.appendChild(link(c.name, c.pack + (rows && rows.length ? date + "/" : "")));
        p.appendChild(document.createTextNode(!rows ? "：这天不在排期范围内" : !rows.length ? "：这天没有安排" :
          "：" + rows.length + " 条，" + compact(rows)));
        block.appendChild(p);
      });
      /* the first declared tag any group of the tier has (省份 before 区域…) */
      var key = (meta.tag_keys || []).filter(function (k) {
        return groups.some(function (g) { return g.tags[k]; });
      })[0] || null;
      var buckets = {};
      var order = [];
      groups.forEach(function (g) {
        var value = key && g.tags[key] ? g.tags[key] : "其他";
        if (!buckets[value]) { buckets[value] = []; order.push(value); }
        var words = g.name;
        g.calendars.forEach(function (id) {
          var c = byId[id];
          if (!c || c.dated || !g.start) { return; }
          var number = daysBetween(g.start, date) + 1;
          var rows = (meta.relative[id] || {})[number];
          if (rows) { words += "（第 " + number + " 天 " + rows.length + " 条）"; }
        });
        buckets[value].push(words);
      });
      order.forEach(function (value) {
        var p = el("p", "", {"class": "qs-tag-groups"});
        p.appendChild(el("strong", (key ? value : "群") + "（" + buckets[value].length + "）"));
        p.appendChild(document.createTextNode("：" + buckets[value].join("、")));
        block.appendChild(p);
      });
      box.appendChild(block);
    });
  }
  function section(id, heading) {
    var box = document.getElementById(id);
    box.textContent = "";
    box.appendChild(el("h2", heading));
    return box;
  }
  function slotList(rows) {
    var list = el("ul");
    rows.forEach(function (row) {
      var where = row[1] === "群里" ? "" : row[1] + " · ";
      var item = el("li", row[0] + " " + where + row[2] + "：" + row[3] + (row[4] ? "（事件期间暂停）" : ""));
      list.appendChild(item);
    });
    return list;
  }
  function month(date) {
    var key = date.slice(0, 7);
    if (meta.months.indexOf(key) < 0) { return Promise.resolve({}); }
    if (!months[key]) {
      months[key] = fetch(metaUrl.replace(/meta\.json$/, key + ".json")).then(function (r) { return r.json(); });
    }
    return months[key];
  }

  function show(date) {
    status.textContent = date + " 的安排" + (meta.marks[date] ? "（" + meta.marks[date] + "）" : "");
    var incidents = section("qs-today-incidents", "处理中的事件");
    var open = meta.incidents.filter(function (i) { return between(date, i.start, i.end); });
    if (!open.length) { incidents.appendChild(el("p", "没有处理中的事件。")); }
    open.forEach(function (i) {
      var p = el("p");
      p.appendChild(link(i.name, i.url));
      p.appendChild(document.createTextNode("（" + i.start + " 起）：受影响的推送包会暂停部分内容。"));
      incidents.appendChild(p);
    });
    var campaigns = section("qs-today-campaigns", "进行中的活动");
    var running = meta.campaigns.filter(function (c) { return between(date, c.start, c.end); });
    if (!running.length) { campaigns.appendChild(el("p", "这天没有进行中的活动。")); }
    running.forEach(function (c) {
      var day = Math.round((Date.parse(date) - Date.parse(c.start)) / 86400000) + 1;
      var p = el("p");
      p.appendChild(link(c.name, c.url));
      p.appendChild(document.createTextNode("：第 " + day + " 天（" + c.start + " ~ " + c.end + "）"));
      campaigns.appendChild(p);
    });
    month(date).then(function (data) { showGroups(date, data); });
    month(date).then(function (data) {
      var box = section("qs-today-calendars", "各排期的推送（课程提醒也在其中）");
      /* with a roster, the calendars its groups follow are shown with them above */
      var followed = meta.groups ? meta.groups.reduce(function (ids, g) { return ids.concat(g.calendars); }, []) : [];
      if (followed.length) { box.appendChild(el("p", "群名单里的群用的排期见上面；下面是没有群在用的排期。")); }
      meta.calendars.filter(function (c) { return c.dated && followed.indexOf(c.id) < 0; }).forEach(function (c) {
        var rows = (data[c.id] || {})[date];
        var heading = el("h3");
        heading.appendChild(link(c.name, c.url));
        box.appendChild(heading);
        var key = date;
        if (!rows && c.last && date > c.last) {
          var weekday = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][new Date(date + "T00:00:00Z").getUTCDay()];
          rows = c.rhythm[weekday];
          key = "weekly-" + weekday;
          if (rows) { box.appendChild(el("p", "长期执行的每周节奏：这天按每周模板发。")); }
        }
        if (!rows) { box.appendChild(el("p", "这天不在排期范围内。")); return; }
        if (!rows.length) { box.appendChild(el("p", "这天没有安排推送。")); return; }
        box.appendChild(slotList(rows));
        var pack = el("p");
        pack.appendChild(link("打开这天的推送包", c.pack + key + "/"));
        box.appendChild(pack);
      });
    });
    var relative = section("qs-today-relative", "按建群天数的排期");
    meta.calendars.filter(function (c) { return !c.dated; }).forEach(function (c) {
      var heading = el("h3");
      heading.appendChild(link(c.name, c.url));
      relative.appendChild(heading);
      var days = meta.relative[c.id] || {};
      var list = el("ul");
      /* with a roster: only the days real groups are on, not every start date there could be */
      var real = meta.groups ? meta.groups.filter(function (g) { return g.start && g.calendars.indexOf(c.id) >= 0; })
        .map(function (g) { return daysBetween(g.start, date) + 1; }) : null;
      if (real && !real.some(function (n) { return days[n]; })) {
        relative.appendChild(el("p", "群名单里的群今天都不在这个排期的安排日。"));
      }
      Object.keys(days).map(Number).sort(function (a, b) { return a - b; }).forEach(function (number) {
        if (real && real.indexOf(number) < 0) { return; }
        var started = addDays(date, 1 - number);
        var item = el("li", started + " 建的群，" + date + " 是第 " + number + " 天：");
        if (real) {  /* one line a day: the groups are listed above */
          item.appendChild(document.createTextNode(compact(days[number])));
        } else {
          item.appendChild(slotList(days[number]));
        }
        list.appendChild(item);
      });
      relative.appendChild(list);
    });
    var expiring = section("qs-today-expiring", meta.window + " 天内失效的内容");
    var horizon = addDays(date, meta.window);
    var soon = meta.expiring.filter(function (p) { return date <= p.until && p.until <= horizon; });
    if (!soon.length) { expiring.appendChild(el("p", "没有快要失效的内容。")); }
    var list = el("ul");
    soon.forEach(function (p) {
      var item = el("li");
      item.appendChild(link(p.title, p.url));
      item.appendChild(document.createTextNode("：" + p.until + " 失效"));
      list.appendChild(item);
    });
    expiring.appendChild(list);
  }

  fetch(metaUrl).then(function (r) { return r.json(); }).then(function (data) {
    meta = data;
    var params = new URLSearchParams(location.search);
    var wanted = params.get("date") || "";
    var valid = /^\d{4}-\d{2}-\d{2}$/.test(wanted) && new Date(wanted + "T00:00:00Z").toISOString().slice(0, 10) === wanted;
    input.value = valid ? wanted : todayIn(meta.timezone).date;
    show(input.value);
    if (params.has("date") && !valid) {  /* a fixed message: the link's words are never shown */
      status.textContent = "链接有误：日期不对。下面是今天（" + input.value + "）的安排。";
    }
    input.addEventListener("change", function () { if (input.value) { show(input.value); } });
    document.getElementById("qs-today-now").addEventListener("click", function () {
      input.value = todayIn(meta.timezone).date;
      show(input.value);
    });
  }).catch(function () { status.textContent = "读取安排失败：请刷新页面再试。"; });
