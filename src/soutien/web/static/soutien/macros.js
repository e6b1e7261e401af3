// Macros: choosing one puts its text (filled in for this request) in the reply box, to be
// read and edited before it is sent.
(function () {
  "use strict";
  document.querySelectorAll("select[data-macro-target]").forEach(function (select) {
    select.addEventListener("change", function () {
      var box = document.getElementById(select.dataset.macroTarget);
      var option = select.options[select.selectedIndex];
      if (!box || !option || !option.dataset.text) return;
      box.value = option.dataset.text;
      box.focus();
    });
  });
})();
