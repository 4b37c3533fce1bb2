"""Safe YAML with line numbers: moved to :mod:`khasan_sim.boundary.yamlsrc` (kept here for old imports)."""

from khasan_sim.boundary.yamlsrc import (
    MAX_VALUES,
    Origin,
    PathKey,
    SourceMap,
    YDict,
    YList,
    clone,
    format_path,
    iter_origins,
    load_yaml,
    parse_yaml,
    plain,
)

__all__ = [
    "MAX_VALUES",
    "Origin",
    "PathKey",
    "SourceMap",
    "YDict",
    "YList",
    "clone",
    "format_path",
    "iter_origins",
    "load_yaml",
    "parse_yaml",
    "plain",
]
