"""Facilitator mode: the 20-minute review projected, stepped with a clicker, notes taken on the spot."""
