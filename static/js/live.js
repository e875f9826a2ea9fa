/* Live updates: while the tab is visible, ask whether this page changed, sending the ETag it was served
   with (<body data-page-etag>); 304: it did not. If it did, offer a reload. See base.html and caching.py. */
(() => {
  const body = document.body;
  const etag = body.dataset.pageEtag;
  const banner = document.getElementById("live-update-banner");
  if (!etag || !banner || !window.fetch) return;
  const set = Number(body.dataset.liveInterval || document.documentElement.dataset.liveInterval);
  const every = set > 0 ? Math.min(Math.max(set, 1000), 60000) : 45000;
  const bare = (tag) => (tag || "").replace(/^W\//, "");
  let wait = every;
  let holdUntil = 0; // Retry-After, back-off
  let timer = 0;
  let asking = false;
  let done = false;

  const main = document.getElementById("content") || body;
  const region = document.createElement("div");
  region.className = "live-update";
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  main.prepend(region); // there before it speaks, so it is announced

  function later(delay, hold) {
    clearTimeout(timer);
    timer = 0;
    if (hold) holdUntil = Date.now() + delay;
    if (!done && !document.hidden) timer = setTimeout(ask, delay);
  }

  function backOff() {
    wait = Math.min(wait * 2, 300000);
    later(wait, true);
  }

  function retryAfter(response) {
    const value = response.headers.get("Retry-After") || "";
    const ms = /^\d+$/.test(value) ? value * 1000 : Date.parse(value) - Date.now();
    return Math.min(Math.max(ms || 0, every), 86400000);
  }

  function ask() {
    timer = 0;
    if (asking || done || document.hidden) return;
    asking = true;
    fetch(location.href, { cache: "no-cache", headers: { "If-None-Match": etag } }).then(
      (response) => {
        asking = false;
        const now = bare(response.headers.get("ETag"));
        if (response.status === 304 || (response.ok && (!now || now === bare(etag)))) {
          wait = every;
          later(every);
        } else if (response.ok) {
          done = true;
          region.append(banner.content.cloneNode(true));
        } else if (response.status === 503 || response.status === 429) {
          later(retryAfter(response), true);
        } else if (response.status >= 500) {
          backOff();
        } else {
          done = true; // gone or refused: nothing to offer
        }
      },
      () => {
        asking = false;
        backOff();
      },
    );
  }

  region.addEventListener("click", (event) => {
    if (event.target.closest(".live-update-show")) {
      location.reload();
    } else if (event.target.closest(".live-update-dismiss")) {
      const focused = region.contains(document.activeElement);
      region.replaceChildren();
      if (focused) main.focus({ preventScroll: true });
    }
  });

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) later(0);
    else if (!timer) later(Math.max(0, holdUntil - Date.now()));
  });

  later(every);
})();
