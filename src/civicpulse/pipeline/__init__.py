"""The pipeline: stages, the runner that drives them, and the topology that orders them."""
