"""The conversation reader: read a support conversation and turn its words into quote cards."""
