"""The subcommands of `closetui`: plain-text answers for scripts and SSH."""
