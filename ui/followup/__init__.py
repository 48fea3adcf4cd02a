"""The followup screen's widgets."""
