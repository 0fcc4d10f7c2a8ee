// A select marked data-autosubmit submits its form when changed (no inline handlers:
// the Content-Security-Policy runs scripts only from this site's files).
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
