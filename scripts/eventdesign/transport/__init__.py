"""The transport advisor: a sourced capability matrix, stated needs, exclusions and a ranking.

Data flows one way: `matrix.load_matrix` and `needs` read inputs, `advisor.advise` decides (pure),
`render` and `reference` turn the result into text, JSON or the generated reference table.
"""
