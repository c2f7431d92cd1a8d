"""Names, the one way: what an import binds, which file a module is, and what a
name stands for across modules, read statically and shared by discovery and
every extractor.

- :mod:`.imports`: :class:`~.imports.Import` (one name an import statement
  binds), the relative-import rule, and :class:`~.imports.ImportMap`;
- :mod:`.cst_reader` / :mod:`.ast_reader`: those records from libcst and from
  stdlib ``ast`` trees (dotted names on each tree);
- :mod:`.modules`: a dotted name's file under the import roots, a file's dotted
  names, a parsed module's module-level bindings;
- :mod:`.follow`: following a name through aliases, imports, package
  submodules and star imports to its definition, cycle-safe.
"""
