// Copy buttons for a key or secret shown once. Without JavaScript the buttons stay hidden
// and the value can still be selected and copied by hand.
"use strict";

function selectText(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

async function copyFrom(button) {
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copy + "-status");
  if (!source) return;
  const value = source.textContent.trim();
  try {
    await navigator.clipboard.writeText(value);
  } catch (error) {
    selectText(source);
    document.execCommand("copy");
  }
  if (status) status.textContent = status.dataset.copied || "";
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", () => copyFrom(button));
  }
});
