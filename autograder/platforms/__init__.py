"""The platforms a course already runs on: each module takes a batch's results to one of them."""
