"""Segmentation fault inside the interpreter."""
import faulthandler

faulthandler._sigsegv()
