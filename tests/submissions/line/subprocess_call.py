"""Tries to run a shell command."""
import subprocess

subprocess.run(["touch", "/tmp/aml_grading_escape.txt"])
