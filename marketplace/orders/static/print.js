// Shows the packing slip's print button (the page prints fine from the browser menu too).
(function () {
  var button = document.getElementById("print-button");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
