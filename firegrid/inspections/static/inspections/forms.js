/* inspections: the phone form (answer colours, unsaved answers) and the start form (fields by kind).
   Loaded by inspection_form.html and inspection_start.html; texts come from data-* attributes. */
(function () {
  "use strict";

  function phoneForm(progress) {
    var notSaved = progress.dataset.notSaved || "";
    document.addEventListener("change", function (event) {
      var input = event.target;
      if (input.name !== "result" || !input.form) return;
      var form = input.form;
      form.classList.remove("is-pass", "is-fail", "is-na");
      form.classList.add("is-" + input.value);
      form.querySelectorAll("label.tap").forEach(function (label) { label.classList.remove("checked"); });
      var label = input.closest("label");
      if (label) label.classList.add("checked");
    });
    // The photo a request carried, per file input: after a successful save only that photo is
    // cleared. A photo chosen while an earlier save was on its way is sent by the queued request
    // that follows, so clearing it on the earlier answer would lose it.
    var sentPhotos = new WeakMap();
    function isItemForm(form) { return form && form.classList && form.classList.contains("item"); }
    document.body.addEventListener("htmx:configRequest", function (event) {
      var form = event.detail.elt;
      if (!isItemForm(form)) return;
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        sentPhotos.set(input, input.files && input.files.length ? input.files[0] : null);
      });
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var form = event.detail.elt;
      if (!isItemForm(form)) return;
      if (event.detail.successful) {
        form.querySelectorAll("input[type=file]").forEach(function (input) {
          var sent = sentPhotos.get(input);
          if (sent && input.files && input.files[0] === sent) input.value = "";
        });
        return;
      }
      var status = form.querySelector(".item-status");
      if (!status) return;
      var span = document.createElement("span");
      span.className = "unsaved";
      span.textContent = "✗ " + notSaved;
      status.replaceChildren(span);
    });
  }

  function startForm(form) {
    function show() {
      var chosen = form.querySelector("input[name=kind]:checked");
      form.querySelectorAll("[data-kind]").forEach(function (box) {
        var wanted = chosen && chosen.value === box.dataset.kind;
        box.hidden = !wanted && !box.querySelector(".errorlist");
      });
    }
    form.addEventListener("change", show);
    show();
  }

  function init() {
    var progress = document.getElementById("answered-count");
    if (progress && progress.dataset.notSaved !== undefined) phoneForm(progress);
    var start = document.getElementById("start-form");
    if (start) startForm(start);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
