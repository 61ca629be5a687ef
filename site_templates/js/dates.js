/* What depends on the day a page is read is decided here, from the reader's date in the
   playbook's time zone; the page as built says which day it was generated for.
   Marked elements: [data-qs-start] an incident's status (data-qs-only: shown only in those
   states), [data-qs-group] hidden when none of its marked items shows, [data-qs-until] a post
   listed only while it expires within data-qs-window days, [data-qs-today] the reader's date. */
  function state(today, start, end) {
    if (today < start) { return "upcoming"; }
    return end && today > end ? "past" : "open";
  }
  var TEXT = {
    open: function (start) { return "处理中（" + start + " 起）"; },
    upcoming: function (start) { return "将于 " + start + " 开始"; },
    past: function (start, end) { return "已结束（" + start + " ~ " + end + "）"; }
  };
  function holder(node) { return node.closest("li") || node; }
  function hide(node, hidden) { node.hidden = hidden; node.style.display = hidden ? "none" : ""; }
  function statuses() {
    document.querySelectorAll("[data-qs-start]").forEach(function (node) {
      var start = node.getAttribute("data-qs-start"), end = node.getAttribute("data-qs-end") || "";
      var now = state(todayIn(node.getAttribute("data-qs-zone")).date, start, end);
      node.textContent = TEXT[now](start, end);
      node.setAttribute("data-qs-state", now);
      var only = node.getAttribute("data-qs-only");
      if (only) { hide(holder(node), only.split(" ").indexOf(now) < 0); }
    });
    document.querySelectorAll("[data-qs-until]").forEach(function (node) {
      var today = todayIn(node.getAttribute("data-qs-zone")).date;
      var until = node.getAttribute("data-qs-until");
      var within = parseInt(node.getAttribute("data-qs-window"), 10) || 0;
      hide(holder(node), !(today <= until && until <= addDays(today, within)));
    });
    document.querySelectorAll("[data-qs-group]").forEach(function (group) {
      var shown = Array.prototype.some.call(group.querySelectorAll("[data-qs-only], [data-qs-until]"),
        function (node) { return !holder(node).hidden; });
      hide(group, !shown);  /* inline: the theme's boxes set their own display */
      var empty = document.getElementById(group.getAttribute("data-qs-group"));
      if (empty) { hide(empty, shown); }
    });
    document.querySelectorAll("[data-qs-today]").forEach(function (node) {
      node.textContent = todayIn(node.getAttribute("data-qs-zone")).date;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", statuses);
  } else {
    statuses();
  }
