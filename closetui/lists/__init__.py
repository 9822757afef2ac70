"""The lazily paged lists: one headless object per list, its feed, rows and row store."""
