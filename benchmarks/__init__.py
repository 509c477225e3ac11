"""Benchmarks: run each as ``python -m benchmarks.NAME``; see README.md."""

from tui.cli.chat import use_frame_rate

use_frame_rate()  # as run_app does, before any benchmark imports Textual
