"""Dialogs over a screen: model and theme pickers, chat options, rename and delete."""
