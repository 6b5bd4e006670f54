/* 立法意见: select a passage of the article to quote it. The offsets are characters into the article's text (as
   the server stores it), counted from the start of #article-text to the selection; the server checks them again
   and takes the quoted text from its own copy. Without JavaScript the form still takes a comment on the article. */
(function () {
  "use strict";
  var source = document.getElementById("article-text");
  var form = document.getElementById("comment-form");
  if (!source || !form) { return; }
  var start = form.querySelector("[name=quote_start]");
  var end = form.querySelector("[name=quote_end]");
  var box = document.getElementById("quote-box");
  var preview = document.getElementById("quote-preview");
  var clear = document.getElementById("quote-clear");
  var text = source.textContent;

  function offset(node, at) {
    var range = document.createRange();
    range.setStart(source, 0);
    range.setEnd(node, at);
    return range.toString().length;
  }

  function show(first, last) {
    start.value = first;
    end.value = last;
    preview.textContent = text.slice(first, last);
    box.hidden = false;
  }

  function reset() {
    start.value = "";
    end.value = "";
    preview.textContent = "";
    box.hidden = true;
  }

  function pick() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!source.contains(range.startContainer) || !source.contains(range.endContainer)) { return; }
    var first = offset(range.startContainer, range.startOffset);
    var last = offset(range.endContainer, range.endOffset);
    while (first < last && /\s/.test(text.charAt(first))) { first += 1; }
    while (last > first && /\s/.test(text.charAt(last - 1))) { last -= 1; }
    if (last > first) { show(first, last); }
  }

  document.addEventListener("selectionchange", pick);

  clear.addEventListener("click", reset);
  if (start.value && end.value && Number(end.value) > Number(start.value)) {
    show(Number(start.value), Number(end.value)); // a refused form shown again keeps its quote
  } else {
    pick(); // text selected while the page was still loading
  }
})();
