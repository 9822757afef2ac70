"""Settings, profiles, preferences and the numbers closetui is tuned by."""
