// The form builder's drag and drop: a field's card dropped on another card goes before it, dropped
// on a group's list goes to its end. The move is posted like the Move buttons' (keyboard users
// have those), and the server redraws the editor.
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest && event.target.closest(".field-card");
  if (!card || event.target.matches("input, select, textarea")) return;
  event.dataTransfer.setData("text/plain", card.dataset.at);
  event.dataTransfer.effectAllowed = "move";
});

document.addEventListener("dragover", (event) => {
  if (event.target.closest && event.target.closest("#builder .cards")) event.preventDefault();
});

document.addEventListener("drop", (event) => {
  const from = event.dataTransfer.getData("text/plain");
  const list = event.target.closest && event.target.closest("#builder .cards");
  if (!from || !list) return;
  event.preventDefault();
  const card = event.target.closest(".field-card");
  let to;
  if (card && list.contains(card) && card.dataset.at !== from) {
    to = card.dataset.at;
  } else {
    const prefix = list.dataset.at ? list.dataset.at + "." : "";
    to = prefix + list.querySelectorAll(":scope > .field-card").length;
  }
  const go = document.getElementById("drop-go");
  go.value = "move:" + from + ">" + to;
  go.click();
});
