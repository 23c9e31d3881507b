"""The soak: a long open-model load while the server's RSS, descriptors and errors are watched."""
