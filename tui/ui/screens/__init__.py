"""Full screens: chat, compare, conversations, help and settings."""
