// Reports: the "Print" button (a static file: the Content-Security-Policy allows no inline script).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest(".print-button")) {
    window.print();
  }
});
