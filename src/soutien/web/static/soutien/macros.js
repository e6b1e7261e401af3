// Macros: choosing one puts its text (filled in for this request) in the reply box, to be
// read and edited before it is sent. The focus stays on the choice (arrows go on choosing);
// Enter there moves it to the box (console.js).
(function () {
  "use strict";
  document.querySelectorAll("select[data-macro-target]").forEach(function (select) {
    select.addEventListener("change", function () {
      var box = document.getElementById(select.dataset.macroTarget);
      var option = select.options[select.selectedIndex];
      if (!box || !option || !option.dataset.text) return;
      box.value = option.dataset.text;
    });
  });
})();
