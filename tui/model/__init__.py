"""The pure model: conversations, messages, text rules, temperature, compare turns and the
messages a request sends. No files, no network, no Textual."""
