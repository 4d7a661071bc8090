/* Studio's history page: "Revert to this version" asks first (the form posts without script, too). */
(function () {
  "use strict";
  document.querySelectorAll("form.studio-history-revert").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
