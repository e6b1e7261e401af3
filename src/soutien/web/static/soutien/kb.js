// The knowledge-base panel of a request's page: insert an article's link or text into the reply.
(function () {
  "use strict";
  function replyBox() {
    return document.querySelector("form[action$='/reply/'] textarea[name=body]");
  }
  function insert(text) {
    var box = replyBox();
    if (!box) { return; }
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var glue = before && !before.endsWith("\n") ? "\n" : "";
    box.value = before + glue + text + "\n" + after;
    box.closest("details") && (box.closest("details").open = true);
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#kb-panel [data-insert]");
    if (!button) { return; }
    var item = button.closest("[data-text-url]");
    fetch(item.dataset.textUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (article) {
        insert(button.dataset.insert === "link"
          ? article.title + " : " + article.url
          : article.title + "\n\n" + article.text + "\n\n" + article.url);
      });
  });
})();
