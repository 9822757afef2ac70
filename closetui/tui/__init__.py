"""Everything that imports textual: the app, its widgets, screens and styles."""
