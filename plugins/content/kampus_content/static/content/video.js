/* The video block: playback speed (remembered as the learner's preference), end time, completion, and
 * Open edX's video tracking events.
 *
 * Completion: once the learner has watched to 95 % of the video (or its end time), or to its end, the
 * player posts {completion: 1.0} to the block's publish_completion handler, once a page.
 *
 * Events (sent with Logger.log to the kernel's /event, in Open edX's shape; times in seconds):
 *   load_video          {id, code, duration}
 *   play_video          {id, code, currentTime, duration}
 *   pause_video         {id, code, currentTime, duration}
 *   stop_video          {id, code, currentTime, duration}          (the video played to its end)
 *   seek_video          {id, code, old_time, new_time, type: "onSlideSeek", duration}
 *   speed_change_video  {id, code, current_time, old_speed, new_speed, duration}
 *   show_transcript / hide_transcript {id, code, current_time, duration}
 * `id` is the block id, `code` is "html5" for video files. */
function KampusVideo(runtime, element) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var video = root.querySelector("video.kampus-video-player");
  var select = root.querySelector("select.kampus-video-speed");
  if (!video) { return {}; }
  var box = root.querySelector(".kampus-video") || root;
  var blockId = box.getAttribute("data-block-id") || "";
  var code = box.getAttribute("data-code") || "html5";

  function round(seconds) { return isFinite(seconds) ? Math.round(seconds * 1000) / 1000 : null; }
  function duration() { return round(video.duration); }

  function log(eventType, data) {
    var payload = { id: blockId, code: code };
    Object.keys(data).forEach(function (name) { payload[name] = data[name]; });
    payload.duration = duration();
    if (window.Logger && typeof window.Logger.log === "function") { window.Logger.log(eventType, payload); }
  }

  function speedLabel(value) {
    var number = parseFloat(value) || 1;
    return number % 1 === 0 ? number.toFixed(1) : String(number);
  }

  var speed = parseFloat(video.getAttribute("data-speed") || "1") || 1;
  video.playbackRate = speed;
  var loaded = false;
  video.addEventListener("loadedmetadata", function () {
    video.playbackRate = speed;
    if (!loaded) {
      loaded = true;
      log("load_video", {});
    }
  });
  var end = parseFloat(video.getAttribute("data-end") || "0");
  if (end > 0) {
    video.addEventListener("timeupdate", function () {
      if (video.currentTime >= end) { video.pause(); }
    });
  }

  // Where the learner was before a seek: the last position seen while not seeking.
  var lastTime = video.currentTime || 0;
  var seekFrom = null;
  video.addEventListener("timeupdate", function () {
    if (!video.seeking) { lastTime = video.currentTime; }
  });
  video.addEventListener("seeking", function () {
    if (seekFrom === null) { seekFrom = lastTime; }
  });
  video.addEventListener("seeked", function () {
    var from = seekFrom === null ? lastTime : seekFrom;
    seekFrom = null;
    lastTime = video.currentTime;
    if (Math.abs(video.currentTime - from) < 0.01) { return; }
    log("seek_video", { old_time: round(from), new_time: round(video.currentTime), type: "onSlideSeek" });
  });
  video.addEventListener("play", function () { log("play_video", { currentTime: round(video.currentTime) }); });
  video.addEventListener("pause", function () {
    // At the end the browser pauses, then ends: Open edX logs both pause_video and stop_video.
    log("pause_video", { currentTime: round(video.currentTime) });
  });
  video.addEventListener("ended", function () { log("stop_video", { currentTime: round(video.currentTime) }); });

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
      var oldSpeed = speed;
      speed = parseFloat(select.value) || 1;
      video.playbackRate = speed;
      log("speed_change_video", {
        current_time: round(video.currentTime), old_speed: speedLabel(oldSpeed), new_speed: speedLabel(speed)
      });
      var token = document.querySelector('meta[name="csrf-token"]');
      window.fetch(select.getAttribute("data-save-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.getAttribute("content") : "" },
        body: JSON.stringify({ speed: speed })
      });
    });
  }

  var transcript = root.querySelector("details.kampus-video-transcript");
  if (transcript) {
    transcript.addEventListener("toggle", function () {
      log(transcript.open ? "show_transcript" : "hide_transcript", { current_time: round(video.currentTime) });
    });
  }
  return {};
}
