/* A plain editor of a block's fields: the form's named inputs go to the block's studio_submit handler. */
function KampusFieldsEditor(runtime, element) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var form = root.querySelector("form");
  if (!form) { return {}; }
  var status = root.querySelector(".kampus-editor-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name) { data[input.name] = input.type === "checkbox" ? input.checked : input.value; }
    });
    runtime.notify("save", { state: "start" });
    runtime.postJSON(root, "studio_submit", data).then(function (result) {
      if (status) { status.textContent = result && result.result === "success" ? "Saved." : "Not saved."; }
      runtime.notify("save", { state: "end" });
    }, function () {
      if (status) { status.textContent = "Not saved: try again."; }
    });
  });
  return {};
}
