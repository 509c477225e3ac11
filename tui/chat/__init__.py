"""What every front end shares to run a turn: the client for a profile, the request for a
conversation, a new conversation, the launch plan. No Textual."""
