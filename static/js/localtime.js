/* The reader's own time beside the two the page states. Each <time datetime="…Z" data-zones="Venue/Zone Home/Zone">
   (a round's time at the venue and at home, from the round_time tag) gets "your time: 09:30" after the text
   that holds it, when the reader's clock reads differently from both zones' at that moment; with the day too
   when it is not the venue's. The words come from the nearest data-local-label. Without JavaScript (or Intl)
   the page keeps the two fixed zones. */
(() => {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  let mine;
  try {
    mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!mine) return;
  const lang = document.documentElement.lang || undefined;

  // The wall-clock reading of an instant in a zone, "2024-08-31 09:30", or null for a zone this browser lacks.
  function reading(instant, timeZone) {
    try {
      const parts = {};
      const format = new Intl.DateTimeFormat("en-GB", {
        timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      });
      for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
      return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
    } catch (error) {
      return null;
    }
  }

  const clock = new Intl.DateTimeFormat(lang, { timeZone: mine, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const day = new Intl.DateTimeFormat(lang, { timeZone: mine, weekday: "long", day: "numeric", month: "long" });

  for (const time of document.querySelectorAll("time[data-zones]")) {
    const instant = new Date(time.dateTime);
    const zones = (time.dataset.zones || "").split(/\s+/).filter(Boolean);
    const here = reading(instant, mine);
    if (Number.isNaN(instant.getTime()) || !zones.length || !here) continue;
    const shown = zones.map((zone) => reading(instant, zone));
    if (shown.includes(here)) continue; // the reader's clock already reads as one the page states
    const holder = time.closest("[data-local-label]");
    const label = (holder && holder.dataset.localLabel) || "your time";
    const note = document.createElement("span");
    note.className = "your-time";
    const otherDay = shown[0] && shown[0].slice(0, 10) !== here.slice(0, 10);
    note.textContent = ` · ${label}: ${clock.format(instant)}${otherDay ? `, ${day.format(instant)}` : ""}`;
    time.parentElement.append(note);
  }
})();
