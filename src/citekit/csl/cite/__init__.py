"""Citation-level processing of citekit's CSL engine, one concern per module.

``cs:layout`` (:class:`citekit.csl.elements.citations.Layout`) renders one
item and joins a citation; what needs more than one item is here, as
functions taking the layout, the session and the cites' states:

* :mod:`~citekit.csl.cite.session`: a session's state, reading cites;
* :mod:`~citekit.csl.cite.disambiguate`: disambiguation over the registry;
* :mod:`~citekit.csl.cite.grouping`: cite grouping by author;
* :mod:`~citekit.csl.cite.collapse`: collapsing numbers, years, year suffixes;
* :mod:`~citekit.csl.cite.affixes`: cite affixes and delimiters;
* :mod:`~citekit.csl.cite.substitute`: ``subsequent-author-substitute``;
* :mod:`~citekit.csl.cite.display`: ``display`` and ``second-field-align``.
"""
