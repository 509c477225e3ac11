"""The pieces screens are made of: transcript, message views, prompt, usage panel, compare
column, conversation list, footer."""
