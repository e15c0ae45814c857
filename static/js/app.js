// Progressive enhancement only: every form works without this file.
// Forms with data-confirm ask before they are sent (archive, sign out of others, …).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A select marked data-autosubmit applies its choice at once (the button stays for no-JS use).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
});
