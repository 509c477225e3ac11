"""``python -m tui.local.llama_launch ARGS``: llama-cpp-python's server (``python -m
llama_cpp.server ARGS``) with llama.cpp's extra CPU buffer types turned off.

llama.cpp can move a model's weights into extra CPU buffer types (repacked layouts, and
Intel AMX tiles where the CPU has them). With llama-cpp-python 0.3.36 on a CPU with AMX,
the first reply crashes the server (SIGSEGV in ``llama_decode``): the client then sees
the connection refused mid-turn. Loading with ``use_extra_bufts = false`` keeps the
weights in plain CPU buffers, which works everywhere; for the small models this app
runs the difference in speed is small. Versions without the setting are left as they
are.
"""

from __future__ import annotations

import runpy


def _plain_cpu_buffers() -> None:
    import llama_cpp.llama_cpp as native

    if "use_extra_bufts" not in {field[0] for field in native.llama_model_params._fields_}:
        return
    defaults = native.llama_model_default_params

    def model_params() -> native.llama_model_params:
        params = defaults()
        params.use_extra_bufts = False
        return params

    native.llama_model_default_params = model_params


if __name__ == "__main__":
    _plain_cpu_buffers()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
