"""The subcommands of `closetui`: plain-text answers for scripts and SSH."""

# The shells `closetui completion` writes for: here, so that the CLI's parser names them
# without importing the script generator at every start.
SHELLS = ("bash", "zsh", "fish")
