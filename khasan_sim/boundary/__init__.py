"""The file boundary, below every reader of the user's files.

Everything that turns bytes a user gave into values the core trusts lives here, so that
the scenario loader, the terrain, the study file and the saves share one way of reading
(safe YAML with lines, bounded in size and depth), one way of validating (pydantic
models, the first error reworded as ``file:line: field: problem``) and one way of
writing (atomically, never over an input). Nothing here imports the scenario loader,
the engine or the front end.
"""
