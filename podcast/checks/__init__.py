"""The pre-publish rules, and the comparison with a feed already published."""
