// The console's keyboard and presence: j/k/Enter in a queue; r, n, a, l, s on a request;
// "?" shows the shortcuts; typing in a reply or a note is told to the others on the request.
(function () {
  "use strict";
  var QUEUE_KEY = "soutien.queue", OPENED_KEY = "soutien.opened";
  var TYPING_MS = 10000, BEAT_MS = 4000;

  function store(key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }
  function stored(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  }
  function editing(target) {
    return target && (target.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // ---- A queue: j/k move, Enter opens (the row's link has the focus).
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr"));
  }
  function linkOf(row) { return row.querySelector("a[href]"); }
  function select(row) {
    rows().forEach(function (r) { r.classList.remove("current"); });
    if (!row) { return; }
    row.classList.add("current");
    var link = linkOf(row);
    if (link) { link.focus(); }
  }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var at = all.findIndex(function (r) { return r.classList.contains("current"); });
    var next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), all.length - 1);
    select(all[next]);
  }
  function resumeQueue() {
    var all = rows();
    if (!all.length) { return; }
    store(QUEUE_KEY, window.location.pathname + window.location.search);
    var opened = stored(OPENED_KEY), at = -1;
    if (opened) {
      at = all.findIndex(function (r) {
        var link = linkOf(r);
        return link && link.getAttribute("href") === opened;
      });
    }
    // Back from a request: the one after it; the first one otherwise.
    if (opened && at >= 0) { select(all[Math.min(at + 1, all.length - 1)]); }
    else if (opened) { select(all[0]); }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("table.queue tbody a[href]");
    if (link) { store(OPENED_KEY, link.getAttribute("href")); }
  });

  // ---- A request's page.
  function openAndFocus(detailsId, fieldId) {
    var details = document.getElementById(detailsId);
    if (details) { details.open = true; }
    var field = document.getElementById(fieldId);
    if (field) { field.focus(); }
    return !!field;
  }
  function sendReply() {
    var form = document.querySelector("form.reply-form");
    if (!form) { return false; }
    var body = form.querySelector("textarea");
    if (!body || !body.value.trim()) { if (body) { openAndFocus("reply", body.id); } return true; }
    var next = form.querySelector("input[name=next]"), queue = stored(QUEUE_KEY);
    if (next && queue && queue.charAt(0) === "/") { next.value = queue; }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  // ---- Presence: tell the others when this person types.
  var lastBeat = 0, idle = null;
  function typed() {
    var flag = document.getElementById("presence-typing");
    var box = document.getElementById("presence");
    if (!flag || !box) { return; }
    flag.value = "1";
    window.clearTimeout(idle);
    idle = window.setTimeout(function () { flag.value = "0"; }, TYPING_MS);
    var now = Date.now();
    if (now - lastBeat > BEAT_MS) {
      lastBeat = now;
      box.dispatchEvent(new CustomEvent("soutien-typing"));
    }
  }
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("form.reply-form, #note form")) { typed(); }
  });

  // ---- The shortcuts' help.
  function help() {
    var dialog = document.getElementById("keys-help");
    if (!dialog) { return false; }
    if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
    return true;
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-keys-help]")) { help(); }
  });

  var ACTIONS = {
    "j": function () { move(1); return rows().length > 0; },
    "k": function () { move(-1); return rows().length > 0; },
    "r": function () { return openAndFocus("reply", "reply_body"); },
    "n": function () { return openAndFocus("note", "note_body"); },
    "a": function () { return openAndFocus("", "id_assignee"); },
    "l": function () { return openAndFocus("", "id_level"); },
    "s": sendReply,
    "?": help
  };
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey) { return; }
    var target = event.target;
    // Ctrl+Enter in the reply box sends it; Escape leaves a field so the keys work again.
    if (editing(target)) {
      if (event.key === "Enter" && event.ctrlKey && target.closest("form.reply-form")) {
        event.preventDefault();
        sendReply();
      } else if (event.key === "Escape") {
        target.blur();
      }
      return;
    }
    if (event.ctrlKey) { return; }
    var action = ACTIONS[event.key];
    if (action && action()) { event.preventDefault(); }
  });

  function ready() {
    resumeQueue();
    var reply = document.querySelector("form.reply-form");
    if (reply) {
      // Opened from a queue (by keyboard or mouse): remember which one, for "back to it".
      store(OPENED_KEY, window.location.pathname);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
