"""CSL support: styles, engine fixes and outputs on top of citeproc-py."""
