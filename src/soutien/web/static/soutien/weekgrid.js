// Weekly hours editor: a grid of half-hours per weekday, kept in step with the text fields
// (day_0 … day_6, "08:30-12:30, 13:00-17:00"). The text fields stay the source of truth.
(function () {
  "use strict";
  var SLOTS = 48;
  var grid = document.getElementById("weekgrid");
  if (!grid) return;
  var names = (grid.dataset.days || "").split("|");
  var inputs = [];
  for (var d = 0; d < 7; d++) inputs.push(document.querySelector("input[name=day_" + d + "]"));

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmm(minutes) { return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60); }

  function parse(text) {
    var open = new Array(SLOTS).fill(false);
    (text || "").split(/[,;]/).forEach(function (part) {
      var m = part.trim().match(/^(\d{1,2})[:h](\d{2})\s*[-–]\s*(\d{1,2})[:h](\d{2})$/);
      if (!m) return;
      var start = (+m[1]) * 60 + (+m[2]), end = (+m[3]) * 60 + (+m[4]);
      for (var s = 0; s < SLOTS; s++) {
        var from = s * 30;
        if (from >= start && from + 30 <= end) open[s] = true;
      }
    });
    return open;
  }

  function format(open) {
    var parts = [], s = 0;
    while (s < SLOTS) {
      if (!open[s]) { s++; continue; }
      var e = s;
      while (e < SLOTS && open[e]) e++;
      parts.push(hhmm(s * 30) + "-" + hhmm(e * 30));
      s = e;
    }
    return parts.join(", ");
  }

  var table = document.createElement("table");
  var head = document.createElement("tr");
  head.appendChild(document.createElement("td"));  // the corner: no header to name
  for (var h = 0; h < 24; h++) {
    // Only the hours written out are headers; a blank cell is no header (axe-core).
    var th = document.createElement(h % 3 === 0 ? "th" : "td");
    th.colSpan = 2;
    th.textContent = h % 3 === 0 ? pad(h) : "";
    head.appendChild(th);
  }
  table.appendChild(head);
  var cells = [];
  var painting = null;

  function render(day) {
    var open = parse(inputs[day] && inputs[day].value);
    for (var s = 0; s < SLOTS; s++) cells[day][s].classList.toggle("on", open[s]);
  }

  function paint(day, slot) {
    var open = parse(inputs[day].value);
    open[slot] = painting;
    inputs[day].value = format(open);
    render(day);
  }

  for (var day = 0; day < 7; day++) {
    if (!inputs[day]) continue;
    var row = document.createElement("tr");
    var label = document.createElement("th");
    label.textContent = names[day] || day;
    row.appendChild(label);
    cells[day] = [];
    for (var slot = 0; slot < SLOTS; slot++) {
      var td = document.createElement("td");
      td.dataset.day = day;
      td.dataset.slot = slot;
      td.title = names[day] + " " + hhmm(slot * 30) + "-" + hhmm(slot * 30 + 30);
      row.appendChild(td);
      cells[day].push(td);
    }
    table.appendChild(row);
    inputs[day].addEventListener("input", render.bind(null, day));
  }

  table.addEventListener("mousedown", function (event) {
    var td = event.target.closest("td");
    if (!td) return;
    event.preventDefault();
    painting = !td.classList.contains("on");
    paint(+td.dataset.day, +td.dataset.slot);
  });
  table.addEventListener("mouseover", function (event) {
    var td = event.target.closest("td");
    if (td && painting !== null) paint(+td.dataset.day, +td.dataset.slot);
  });
  document.addEventListener("mouseup", function () { painting = null; });

  grid.appendChild(table);
  for (var d2 = 0; d2 < 7; d2++) if (inputs[d2]) render(d2);
})();
