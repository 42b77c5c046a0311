"""The transport advisor: a sourced capability matrix, stated needs, exclusions and a ranking.

Data flows one way: `matrix.load_matrix` and `needs` read inputs, `advisor.advise` decides (pure),
`render` and `reference` turn the result into text, JSON or the generated reference table.

Records (matrix entries, loads, sizings, needs, advice) are NamedTuples, not frozen dataclasses:
one costs a tenth as much to define and to make, and a 200-channel model makes thousands.
"""
