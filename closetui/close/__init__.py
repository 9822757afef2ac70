"""Close's API: the client and its send chain, paging walks, the rate gate, models, the trace."""
