// Narrow the contacts to the chosen organization (the new request and fax forms).
(function () {
  "use strict";
  var url = document.currentScript.dataset.optionsUrl;
  function narrow() {
    var org = document.getElementById("id_organization");
    var contact = document.getElementById("id_contact");
    if (!org || !contact) return;
    org.addEventListener("change", function () {
      htmx.ajax("GET", url + "?organization=" + encodeURIComponent(org.value), {
        target: contact,
        swap: "innerHTML",
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", narrow);
  } else {
    narrow();
  }
})();
