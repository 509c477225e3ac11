"""The offline local model: reading a GGUF header, choosing the model file and serving it
with llama.cpp's server."""
