/* The catalog page: on narrow screens the filters start folded (they stay open without JavaScript). */
(function () {
  "use strict";
  var details = document.getElementById("filters-details");
  if (details && window.matchMedia && window.matchMedia("(max-width: 991.98px)").matches) {
    details.open = false;
  }
})();
