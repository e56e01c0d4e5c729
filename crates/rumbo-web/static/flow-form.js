// The count form: an "add a group" button that copies the last group row, emptied. Without
// scripts the form still works with the rows it was served with.
(function () {
  'use strict';
  function start() {
    var button = document.getElementById('add-group');
    var groups = document.getElementById('groups');
    if (!button || !groups) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var rows = groups.querySelectorAll('fieldset.group-row');
      if (!rows.length) return;
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll('input').forEach(function (input) { input.value = ''; });
      copy.querySelectorAll('select').forEach(function (select) { select.selectedIndex = 0; });
      groups.appendChild(copy);
      var first = copy.querySelector('input');
      if (first) first.focus();
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
