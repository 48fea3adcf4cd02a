"""The closeout screen's widgets."""
