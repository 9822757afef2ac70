"""Names for ids (users, templates, leads, contacts): looked up, cached, debounced."""
