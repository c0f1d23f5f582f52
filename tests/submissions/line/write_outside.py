"""Tries to write outside its folder."""
with open("/tmp/aml_grading_escape.txt", "w") as handle:
    handle.write("escaped")
