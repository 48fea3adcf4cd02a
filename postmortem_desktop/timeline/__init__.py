"""The timeline's view state (lanes, sub-rows, zoom level of detail) and its one drawing, for the screen and the PDF."""
