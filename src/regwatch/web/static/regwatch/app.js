// Shared behaviour of every page (loaded by base.html).
// File pickers (web/widgets/file.html): show the chosen files' names next to the 选择文件 button.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.classList || !input.classList.contains("file-picker-input")) return;
  var label = input.closest(".file-picker").querySelector(".file-picker-name");
  var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
  label.textContent = names.length ? names.join("、") : label.dataset.empty;
  label.classList.toggle("text-secondary", !names.length);
});

// Date fields: the browser's own date input speaks the browser's language (mm/dd/yyyy in an English
// Chromium); flatpickr's calendar is Chinese everywhere.  The field stays a text input holding
// yyyy-mm-dd, so typing a date and server-side validation work as before.
function chineseDates(root) {
  if (!window.flatpickr) return;
  root.querySelectorAll('input[type="date"]').forEach(function (input) {
    input.type = "text";
    input.placeholder = input.placeholder || "年-月-日";
    input.autocomplete = "off";
    window.flatpickr(input, {
      locale: "zh", dateFormat: "Y-m-d", allowInput: true, disableMobile: true, animate: false,
      minDate: input.min || null, maxDate: input.max || null,
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { chineseDates(document); });
document.addEventListener("htmx:load", function (event) { chineseDates(event.target); });

// Type-ahead from a list API (``data-suggest="/api/v1/subjects/"``): the matching objects fill the
// input's <datalist> as "名称（统一社会信用代码）"; the server resolves the chosen text again.
document.addEventListener("input", function (event) {
  var input = event.target;
  if (!input.dataset || !input.dataset.suggest) return;
  clearTimeout(input._suggestTimer);
  var q = input.value.trim();
  if (q.length < 2) return;
  input._suggestTimer = setTimeout(function () {
    fetch(input.dataset.suggest + "?page_size=10&q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        var list = document.getElementById(input.getAttribute("list"));
        list.replaceChildren.apply(list, (data.results || []).map(function (o) {
          var option = document.createElement("option");
          option.value = o.uscc ? o.name + "（" + o.uscc + "）" : o.name;
          return option;
        }));
      });
  }, 250);
});
