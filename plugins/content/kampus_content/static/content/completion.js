/* Completion on view (Open edX's "completable by viewing"): once at least half of a block (or half
 * the window, for a block taller than that) has stayed in view for 5 seconds, post
 * {completion: 1.0} to the block's publish_completion handler, once a page. */
function KampusCompletionOnView(runtime, element) {
  "use strict";
  var DELAY_MS = 5000;  // Open edX's COMPLETION_BY_VIEWING_DELAY_MS
  var root = element.jquery ? element[0] : element;
  var sent = false;
  var timer = null;

  function report() {
    if (sent) { return; }
    sent = true;
    runtime.postJSON(root, "publish_completion", { completion: 1.0 })["catch"](function () {});
  }

  if (!("IntersectionObserver" in window)) {
    timer = window.setTimeout(report, DELAY_MS);
    return {};
  }
  var observer = new window.IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var seen = entry.isIntersecting && (entry.intersectionRatio >= 0.5 ||
        entry.intersectionRect.height >= window.innerHeight / 2);
      if (seen && timer === null) {
        timer = window.setTimeout(function () { observer.disconnect(); report(); }, DELAY_MS);
      } else if (!seen && timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
    });
  }, { threshold: [0, 0.25, 0.5, 0.75, 1] });
  observer.observe(root);
  return {};
}
