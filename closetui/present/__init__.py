"""A sequence as styled lines, cadence arithmetic, and text made inert."""
