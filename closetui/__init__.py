"""closetui: a terminal browser for the Sequences of a Close CRM organization."""

__version__ = "0.1.0"
