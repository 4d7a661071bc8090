/* The video block: playback speed (remembered as the learner's preference) and end time. */
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
