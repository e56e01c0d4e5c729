// PLACEHOLDER — to be written by the demo helper.
