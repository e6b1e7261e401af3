// The console's keyboard and presence: j/k/Enter in a queue; r, n, m, a, l, s on a request;
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

  // ---- A macro: m opens the picker (arrows or typing choose, macros.js fills the box), Enter
  // puts the focus in its reply box; s or Ctrl+Enter there sends it and opens the next request.
  var LIST_PARAMS = ["view", "queue", "sort", "q", "status", "level", "organization",
    "assignee", "channel", "received_from", "received_to", "sla", "ordering"];
  var lastForm = null;
  function macroForm() { return document.querySelector("form.macro-form"); }
  function openMacros() {
    var form = macroForm();
    if (!form) { return false; }
    var details = form.closest("details");
    if (details) { details.open = true; }
    var choice = form.querySelector("select[name=macro]");
    if (choice) { choice.focus(); }
    return !!choice;
  }
  function insertMacro(select) {
    var form = select.form, option = select.options[select.selectedIndex];
    var box = form && form.querySelector("textarea[name=body]");
    if (!box || !option || !option.dataset.text) { return; }
    if (!box.value.trim()) { box.value = option.dataset.text; }
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    lastForm = form;
  }
  function carryList(form) {
    // Opened from a queue whose address the request's page does not carry: "next" follows it.
    var queue = stored(QUEUE_KEY);
    if (!queue || queue.charAt(0) !== "/" || queue.indexOf("?") < 0) { return; }
    if (LIST_PARAMS.some(function (k) { return form.querySelector("input[type=hidden][name=" + k + "]"); })) {
      return;
    }
    new URLSearchParams(queue.slice(queue.indexOf("?") + 1)).forEach(function (value, key) {
      if (LIST_PARAMS.indexOf(key) < 0) { return; }
      var input = document.createElement("input");
      input.type = "hidden"; input.name = key; input.value = value;
      form.appendChild(input);
    });
  }
  function sendMacro() {
    var form = macroForm();
    var body = form && form.querySelector("textarea[name=body]");
    if (!body || !body.value.trim()) { return false; }
    carryList(form);
    var next = form.querySelector("button[name=then][value=next]");
    if (form.requestSubmit) { form.requestSubmit(next); } else { next.click(); }
    return true;
  }
  function send() {
    if (lastForm && lastForm === macroForm() && sendMacro()) { return true; }
    return sendReply();
  }
  document.addEventListener("focusin", function (event) {
    var form = event.target.closest && event.target.closest("form.reply-form, form.macro-form");
    if (form && event.target.tagName === "TEXTAREA") { lastForm = form; }
  });

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
    if (event.target.closest && event.target.closest("form.reply-form, form.macro-form, #note form")) { typed(); }
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
    "m": openMacros,
    "a": function () { return openAndFocus("", "id_assignee"); },
    "l": function () { return openAndFocus("", "id_level"); },
    "s": send,
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
      } else if (event.key === "Enter" && event.ctrlKey && target.closest("form.macro-form")) {
        event.preventDefault();
        sendMacro();
      } else if (event.key === "Enter" && target.matches("form.macro-form select[name=macro]")) {
        event.preventDefault();
        insertMacro(target);
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
