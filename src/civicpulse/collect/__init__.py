"""Collection: one module per connector, each with an I/O `fetch` and a pure `to_item`."""
