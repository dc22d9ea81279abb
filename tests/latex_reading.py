"""LaTeX output read back to text, as the tests check it: pylatexenc, strictly.

pylatexenc knows most of LaTeX's text-mode commands but not the symbol
commands citekit writes for characters that are special in LaTeX
(``\\textless``, ``\\textbackslash``, ...): they are added here with the
characters LaTeX prints for them.
"""

from __future__ import annotations

#: The symbol commands citekit's LaTeX output uses, and what LaTeX prints for each.
SYMBOLS = {
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textasciicircum": "^",
    "textasciitilde": "~",
    "textasciigrave": "`",
    "textbackslash": "\\",
}


def latex_text(latex: str) -> str:
    """What LaTeX prints for ``latex``; pylatexenc raises on malformed input."""
    from pylatexenc import latex2text

    db = latex2text.get_default_latex_context_db()
    db.add_context_category(
        "citekit-symbols",
        prepend=True,
        macros=[
            latex2text.MacroTextSpec(name, simplify_repl=text) for name, text in SYMBOLS.items()
        ],
    )
    converter = latex2text.LatexNodes2Text(latex_context=db, strict_latex_spaces=True)
    return str(converter.latex_to_text(latex, tolerant_parsing=False))
