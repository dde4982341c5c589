"""The trusted side: decodes what the sandbox sent back and decides every score.

Never imports ``autograder.sandbox`` or ``autograder.launch``; never evaluates
student text (no eval, exec, sympify, parse_expr, pickle).
"""
