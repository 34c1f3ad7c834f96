"""`make test` and `studio serve` say what they wait for: the Label Studio install is announced
before it starts (issue 25), and a cached install is not announced at all."""

from __future__ import annotations

import sys

import pytest

from sourcetrace.errors import InputError
from sourcetrace.studio.serve import LABEL_STUDIO_VERSION, cache_dir, install_server


def test_the_label_studio_install_is_announced_before_it_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCETRACE_CACHE", str(tmp_path))
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the install's first step fails at once
    said: list[str] = []
    with pytest.raises(InputError, match="could not install"):
        install_server(said.append)
    assert len(said) == 1
    assert said[0].startswith(f"installing label-studio=={LABEL_STUDIO_VERSION} into ")
    assert str(cache_dir() / "venv") in said[0]


def test_a_cached_label_studio_is_not_announced(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCETRACE_CACHE", str(tmp_path))
    executable = cache_dir() / "venv" / "bin" / "label-studio"
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n")
    (cache_dir() / "installed.ok").write_text("cached\n")
    said: list[str] = []
    assert install_server(said.append) == executable
    assert said == []
