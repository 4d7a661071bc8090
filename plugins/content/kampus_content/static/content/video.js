/* The video block: playback speed (remembered as the learner's preference), end time, and
 * completion: once the learner has watched to 95 % of the video (or its end time), or to its end,
 * the player posts {completion: 1.0} to the block's publish_completion handler, once a page. */
function KampusVideo(runtime, element) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var video = root.querySelector("video.kampus-video-player");
  var select = root.querySelector("select.kampus-video-speed");
  if (!video) { return {}; }
  var speed = parseFloat(video.getAttribute("data-speed") || "1") || 1;
  video.playbackRate = speed;
  video.addEventListener("loadedmetadata", function () { video.playbackRate = speed; });
  var end = parseFloat(video.getAttribute("data-end") || "0");
  if (end > 0) {
    video.addEventListener("timeupdate", function () {
      if (video.currentTime >= end) { video.pause(); }
    });
  }
  var completed = false;
  function reportCompletion() {
    if (completed) { return; }
    completed = true;
    runtime.postJSON(root, "publish_completion", { completion: 1.0 })["catch"](function () {});
  }
  video.addEventListener("timeupdate", function () {
    var stop = end > 0 ? end : video.duration;
    if (isFinite(stop) && stop > 0 && video.currentTime >= stop * 0.95) { reportCompletion(); }
  });
  video.addEventListener("ended", reportCompletion);
  if (select) {
    select.addEventListener("change", function () {
      speed = parseFloat(select.value) || 1;
      video.playbackRate = speed;
      var token = document.querySelector('meta[name="csrf-token"]');
      window.fetch(select.getAttribute("data-save-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.getAttribute("content") : "" },
        body: JSON.stringify({ speed: speed })
      });
    });
  }
  return {};
}
