"""The Label Studio bridge: labeling config, tasks, export import (UTF-16 repair), push and pull.

Everything here but `client` works offline on plain JSON; `client` needs the `studio` extra
(`label-studio-sdk`) and a running server.
"""
