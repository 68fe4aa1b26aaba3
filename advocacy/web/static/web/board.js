// Drag and drop on the pipeline board. A drop posts the dragged ask's own move (its id and its
// state read when the drag started) with the column's status; the server validates it exactly
// like the Move menu (an illegal drop is refused with a message and the card stays where it was).
//
// The card dragged is the card the pointer pressed. Chromium fires dragstart on whatever element
// is under the press point when the drag begins: if the page or a column scrolled in between
// (scrolling the target column into view, a notice pushing the board down), that is another
// card, and trusting dragstart's target moved a different ask than the one grabbed.
// Nothing is kept of the card but its id, its state and its move address: htmx swaps the board
// after every move and filter, and an element held across a swap is a detached copy whose
// dragend never reaches the document. A swap during a drag cancels the drag. The Move menu
// remains for keyboards and for browsers without JavaScript.
(function () {
  "use strict";
  var drag = null; // {id, from, moves, url} of the card being dragged
  var pressed = null; // the card under the pointer when it was pressed

  function columns() {
    return document.querySelectorAll("[data-drop-status]");
  }

  function clearMarks() {
    columns().forEach(function (column) {
      column.classList.remove("board__column--legal", "board__column--over");
    });
    document.querySelectorAll(".askcard--dragging").forEach(function (card) {
      card.classList.remove("askcard--dragging");
    });
  }

  function say(text) {
    var status = document.querySelector("[data-testid='drag-status']");
    if (status) status.textContent = text;
  }

  function end() {
    drag = null;
    clearMarks();
  }

  document.addEventListener(
    "pointerdown",
    function (event) {
      pressed = (event.target.closest && event.target.closest(".askcard[draggable='true']")) || null;
    },
    true
  );

  document.addEventListener("dragstart", function (event) {
    var started = event.target.closest && event.target.closest(".askcard[draggable='true']");
    var card = pressed && pressed.isConnected ? pressed : started;
    pressed = null;
    if (!started || !card) {
      end(); // something else is dragged (a link, some text): never a stale card
      return;
    }
    drag = {
      id: card.dataset.ask,
      from: card.dataset.status,
      moves: (card.dataset.moves || "").split(" "),
      url: card.dataset.moveUrl,
    };
    card.classList.add("askcard--dragging");
    if (card !== started && event.dataTransfer.setDragImage) {
      event.dataTransfer.setDragImage(card, 16, 16); // show the card grabbed, not the one hit
    }
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", drag.id);
    columns().forEach(function (column) {
      if (drag.moves.indexOf(column.dataset.dropStatus) !== -1) {
        column.classList.add("board__column--legal");
      }
    });
  });

  document.addEventListener("dragend", end);

  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest("[data-drop-status]");
    if (!column || !drag) return;
    event.preventDefault(); // allow the drop; the server decides whether the move is legal
    event.dataTransfer.dropEffect = "move";
    columns().forEach(function (c) {
      c.classList.toggle("board__column--over", c === column);
    });
  });

  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest("[data-drop-status]");
    if (!column || !drag) return;
    event.preventDefault();
    var moving = drag;
    end();
    var carried = event.dataTransfer.getData("text/plain");
    if (carried && carried !== moving.id) return; // not this board's drag
    var to = column.dataset.dropStatus;
    if (to === moving.from) return; // dropped back on its own column
    var board = document.getElementById("board");
    var next = document.querySelector("[data-board-url]");
    say("Moving ask " + moving.id + " to " + (column.dataset.label || to).toLowerCase() + "…");
    window.htmx.ajax("POST", moving.url, {
      source: board,
      target: "#board",
      swap: "innerHTML",
      values: {
        to: to,
        from: moving.from,
        next: next ? next.dataset.boardUrl : window.location.pathname,
      },
    });
  });

  // A swap of the board while a card is dragged removes the card: cancel the drag.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (drag && event.detail.target && event.detail.target.id === "board") end();
  });
})();
