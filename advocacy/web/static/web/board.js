// Drag and drop on the pipeline board. A drop submits the card's own move form with the
// column's status, so the server validates it exactly like a button press (an illegal drop is
// refused with a message and the card stays in its column). The buttons remain for keyboards
// and for browsers without JavaScript; nothing here is needed for the board to work.
(function () {
  "use strict";
  var dragged = null;

  function columns() {
    return document.querySelectorAll("[data-drop-status]");
  }

  function clearMarks() {
    columns().forEach(function (column) {
      column.classList.remove("board__column--legal", "board__column--over");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".askcard[draggable='true']");
    if (!card) return;
    dragged = card;
    card.classList.add("askcard--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.ask);
    var legal = (card.dataset.moves || "").split(" ");
    columns().forEach(function (column) {
      if (legal.indexOf(column.dataset.dropStatus) !== -1) {
        column.classList.add("board__column--legal");
      }
    });
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("askcard--dragging");
    dragged = null;
    clearMarks();
  });

  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest("[data-drop-status]");
    if (!column || !dragged) return;
    event.preventDefault(); // allow the drop; the server decides whether the move is legal
    event.dataTransfer.dropEffect = "move";
    columns().forEach(function (c) {
      c.classList.toggle("board__column--over", c === column);
    });
  });

  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest("[data-drop-status]");
    if (!column || !dragged) return;
    event.preventDefault();
    var card = dragged;
    var form = card.querySelector("form.move-form");
    var from = card.closest("[data-drop-status]");
    clearMarks();
    if (!form || column === from) return;
    var to = document.createElement("input");
    to.type = "hidden";
    to.name = "to";
    to.value = column.dataset.dropStatus;
    form.appendChild(to);
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
