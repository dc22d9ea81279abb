# A Sphinx project citing the Serge example with citekit's extension.
# Build it with: python -m sphinx -b html examples/sphinx examples/sphinx/_build/html
project = "Lenin's Heir?"
extensions = ["myst_parser", "citekit.sphinx"]
exclude_patterns = ["_build", "README.md"]

bibtex_bibfiles = ["../serge/serge.bib"]  # .bib, CSL-JSON or CSL-YAML
citekit_style = "apa"  # any CSL style: a name or a .csl file
