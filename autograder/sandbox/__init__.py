"""The untrusted side: runs student code in a confined child process.

Modules here import only the standard library, numpy, sympy and
``source_lib.wire``. They never import the judge, and the judge never imports
them; the trusted side starts this package by its module name only.
"""
