"""The distributed mode: worker roles, partitioned story state, and a local multi-process deployment."""
