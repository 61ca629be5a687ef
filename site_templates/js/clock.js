/* qunsop's scripts, shared: the reader's date and clock time in the playbook's time zone
   (the one place a script reads the clock) and whole-day arithmetic on YYYY-MM-DD dates.
   Joined at build time at the top of every script that needs it, inside that script's
   function scope (generator/render.py `script_bundle`). */
  /* {date: "YYYY-MM-DD", time: "HH:MM"} now in `zone`; a missing or unknown zone is read as
     Asia/Shanghai (qunsop.yaml's default) */
  function todayIn(zone) {
    var parts;
    try {
      parts = new Intl.DateTimeFormat("en-CA", {timeZone: zone || "Asia/Shanghai", year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).formatToParts(new Date());
    } catch (error) { return todayIn(""); }
    var get = function (type) { return parts.filter(function (p) { return p.type === type; })[0].value; };
    return {date: get("year") + "-" + get("month") + "-" + get("day"), time: get("hour") + ":" + get("minute")};
  }
  function addDays(date, days) {
    return new Date(Date.parse(date + "T00:00:00Z") + days * 86400000).toISOString().slice(0, 10);
  }
  function daysBetween(first, second) {
    return Math.round((Date.parse(second + "T00:00:00Z") - Date.parse(first + "T00:00:00Z")) / 86400000);
  }
