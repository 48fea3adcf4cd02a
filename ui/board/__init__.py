"""The tagging board: quote cards in tag columns, with swimlanes, filters and suggested tags."""
