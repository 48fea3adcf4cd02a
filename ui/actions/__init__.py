"""The actions screen's widgets."""
