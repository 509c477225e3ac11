"""The wire: the OpenAI-compatible client, the event-stream decoder, chunks to a reply,
failures, and the model catalog."""
