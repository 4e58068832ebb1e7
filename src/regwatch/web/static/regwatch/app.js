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
